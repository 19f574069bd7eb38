namespace GitpleLive.TestHost;

/// <summary>
/// The multi-node suites' cluster: two server nodes on one fresh PostgreSQL database and the shared Redis, serving one app
/// (<c>{appPrefix}-…</c>). Disposing stops both nodes, then drops the database. The caller first checks that both services
/// answer (<see cref="ExternalServices.PostgresAndRedisMissingAsync"/>) and skips on the reason.
/// </summary>
public sealed class TwoNodes : IAsyncDisposable
{
    private TwoNodes(TestServer a, TestServer b, string database)
    {
        A = a;
        B = b;
        Database = database;
    }

    public TestServer A { get; }

    public TestServer B { get; }

    /// <summary>The connection string of the nodes' database, for a further node on the same store.</summary>
    public string Database { get; }

    /// <summary>
    /// Starts the pair; <paramref name="extra"/> adds or replaces settings of both (another Redis, a shared key), and
    /// <paramref name="dataDirectory"/>, when given, is the data folder both share.
    /// </summary>
    public static async Task<TwoNodes> StartAsync(string appPrefix, IDictionary<string, string?>? extra = null,
        string? dataDirectory = null)
    {
        var db = await ExternalServices.CreatePostgresDatabaseAsync();
        var id = Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string?>
        {
            ["GitpleLive:StorageProvider"] = "postgres",
            ["GitpleLive:ConnectionString"] = db,
            ["GitpleLive:Redis"] = ExternalServices.Redis,
            ["GitpleLive:DefaultAppId"] = appPrefix + "-" + id,
            ["GitpleLive:DefaultApiKey"] = "key-" + id,
        };
        if (extra is not null) foreach (var (k, v) in extra) settings[k] = v;
        TestServer? a = null;
        try
        {
            a = await TestServer.StartAsync(settings, dataDirectory: dataDirectory);
            var b = await TestServer.StartAsync(settings, dataDirectory: dataDirectory);
            return new TwoNodes(a, b, db);
        }
        catch
        {
            // A node that did not start leaves nothing behind: the one that did is stopped, the database dropped.
            if (a is not null) await a.DisposeAsync();
            await ExternalServices.DropPostgresDatabaseAsync(db);
            throw;
        }
    }

    public void Deconstruct(out TestServer a, out TestServer b)
    {
        a = A;
        b = B;
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        await ExternalServices.DropPostgresDatabaseAsync(Database);
    }
}
