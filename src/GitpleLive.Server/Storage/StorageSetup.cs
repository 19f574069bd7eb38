using GitpleLive.Server.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitpleLive.Server.Storage;

public static class StorageSetup
{
    /// <summary>
    /// Registers the chat store. Both providers' context factories are registered; which one serves is read
    /// from the bound <see cref="ChatServerOptions.StorageProvider"/> when the store is first resolved.
    /// </summary>
    public static IServiceCollection AddChatStorage(this IServiceCollection services)
    {
        services.AddPooledDbContextFactory<SqliteChatDbContext>((sp, o) => o
            .UseSqlite(SqliteConnectionString(sp.GetRequiredService<ChatServerOptions>()))
            .AddInterceptors(new SqlitePragmaInterceptor()));
        services.AddPooledDbContextFactory<PostgresChatDbContext>((sp, o) => o
            .UseNpgsql(sp.GetRequiredService<ChatServerOptions>().ConnectionString));
        services.TryAddSingleton<IDbContextFactory<ChatDbContext>>(sp => sp.GetRequiredService<ChatServerOptions>().UsesPostgres
            ? new ChatDbContextFactory<PostgresChatDbContext>(sp.GetRequiredService<IDbContextFactory<PostgresChatDbContext>>())
            : new ChatDbContextFactory<SqliteChatDbContext>(sp.GetRequiredService<IDbContextFactory<SqliteChatDbContext>>()));
        // SQLite has one writer at a time: queue writers in-process rather than spin on SQLITE_BUSY.
        services.TryAddSingleton(sp => new StoreWriteGate(serialize: !sp.GetRequiredService<ChatServerOptions>().UsesPostgres));
        services.TryAddSingleton<ChatStore>();
        return services;
    }

    private static string SqliteConnectionString(ChatServerOptions options)
    {
        Directory.CreateDirectory(options.DataDirectory);
        var file = Path.Combine(options.DataDirectory, "gitplelive.db");
        return new SqliteConnectionStringBuilder(options.ConnectionString ?? $"Data Source={file}")
        {
            DefaultTimeout = 30,
            Pooling = true,
        }.ToString();
    }
}

/// <summary>
/// NORMAL sync in WAL mode is durable across process crashes and skips an fsync per commit. It is a
/// per-connection setting; WAL itself is stored in the database file and set once at start-up.
/// </summary>
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
        cmd.CommandText = "PRAGMA synchronous=NORMAL;";
        cmd.ExecuteNonQuery();
    }
}
