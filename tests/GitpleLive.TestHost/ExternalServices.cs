using Npgsql;
using StackExchange.Redis;

namespace GitpleLive.TestHost;

/// <summary>
/// PostgreSQL and Redis for the suites that need them. <c>.ci/run</c> installs and starts both;
/// the addresses come from <c>GITPLELIVE_TEST_POSTGRES</c> / <c>GITPLELIVE_TEST_REDIS</c> or default
/// to the local services. Outside CI a missing service skips those tests; in CI (<c>CI=true</c>) it fails them.
/// </summary>
public static class ExternalServices
{
    public static string PostgresAdmin =>
        Environment.GetEnvironmentVariable("GITPLELIVE_TEST_POSTGRES") ?? "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=postgres";

    public static string Redis => Environment.GetEnvironmentVariable("GITPLELIVE_TEST_REDIS") ?? "127.0.0.1:6379";

    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Null when PostgreSQL answers; else why not.</summary>
    public static Task<string?> PostgresUnavailableAsync() => ProbeAsync("PostgreSQL", async () =>
    {
        await using var c = new NpgsqlConnection(PostgresAdmin + ";Timeout=10");
        await c.OpenAsync();
    });

    public static Task<string?> RedisUnavailableAsync() => ProbeAsync("Redis", async () =>
    {
        using var m = await ConnectionMultiplexer.ConnectAsync(Redis + ",connectTimeout=10000,abortConnect=true");
        await m.GetDatabase().PingAsync();
    });

    /// <summary>
    /// For the multi-node suites: null when PostgreSQL and Redis both answer; else why not, for the caller to skip on.
    /// In CI a missing service is a failure, never a skip, so this throws there.
    /// </summary>
    public static async Task<string?> PostgresAndRedisMissingAsync()
    {
        var reason = await PostgresUnavailableAsync() ?? await RedisUnavailableAsync();
        if (reason is not null && InCi) throw new InvalidOperationException(reason);
        return reason;
    }

    // A loaded machine (parallel test assemblies on two cores) can make one probe slow: try three times.
    private static async Task<string?> ProbeAsync(string name, Func<Task> probe)
    {
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                await probe();
                return null;
            }
            catch (Exception e)
            {
                last = e;
                await Task.Delay(500);
            }
        }
        return $"{name} not reachable ({last!.Message})";
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static async Task<string> CreatePostgresDatabaseAsync()
    {
        var name = "gitplelive_test_" + Guid.NewGuid().ToString("N")[..12];
        await using (var c = new NpgsqlConnection(PostgresAdmin))
        {
            await c.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            await cmd.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(PostgresAdmin) { Database = name }.ToString();
    }

    public static async Task DropPostgresDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var c = new NpgsqlConnection(PostgresAdmin);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", c);
        await cmd.ExecuteNonQueryAsync();
    }
}
