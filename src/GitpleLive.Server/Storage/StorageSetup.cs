using GitpleLive.Server.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace GitpleLive.Server.Storage;

public static class StorageSetup
{
    /// <summary>Registers the chat store for the configured provider (<c>sqlite</c> or <c>postgres</c>).</summary>
    public static IServiceCollection AddChatStorage(this IServiceCollection services, ChatServerOptions options)
    {
        switch (options.StorageProvider.ToLowerInvariant())
        {
            case "sqlite":
                Directory.CreateDirectory(options.DataDirectory);
                var sqlite = new SqliteConnectionStringBuilder(options.ConnectionString ?? $"Data Source={Path.Combine(options.DataDirectory, "gitplelive.db")}")
                {
                    DefaultTimeout = 30,
                    Pooling = true,
                }.ToString();
                services.AddPooledDbContextFactory<SqliteChatDbContext>(o => o
                    .UseSqlite(sqlite)
                    .AddInterceptors(new SqlitePragmaInterceptor()));
                services.AddSingleton<IDbContextFactory<ChatDbContext>, ChatDbContextFactory<SqliteChatDbContext>>();
                // SQLite has one writer at a time: queue writers in-process rather than spin on SQLITE_BUSY.
                services.AddSingleton(new StoreWriteGate(serialize: true));
                break;
            case "postgres" or "postgresql":
                if (string.IsNullOrEmpty(options.ConnectionString))
                    throw new InvalidOperationException("GitpleLive:ConnectionString is required for the postgres storage provider.");
                services.AddPooledDbContextFactory<PostgresChatDbContext>(o => o.UseNpgsql(options.ConnectionString));
                services.AddSingleton<IDbContextFactory<ChatDbContext>, ChatDbContextFactory<PostgresChatDbContext>>();
                services.AddSingleton(new StoreWriteGate(serialize: false));
                break;
            default:
                throw new InvalidOperationException($"GitpleLive:StorageProvider '{options.StorageProvider}' is not supported (use sqlite or postgres).");
        }
        services.AddSingleton<ChatStore>();
        return services;
    }
}

/// <summary>WAL lets readers run beside the one writer; NORMAL sync is durable across process crashes.</summary>
internal sealed class SqlitePragmaInterceptor : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
{
    public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(System.Data.Common.DbConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
        cmd.ExecuteNonQuery();
    }
}
