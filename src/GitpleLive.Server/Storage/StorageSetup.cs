using Microsoft.Data.Sqlite;
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
        // One writer per process, group commit (SQLite has one writer at a time anyway).
        services.TryAddSingleton<StoreWriter>();
        services.TryAddSingleton<ChatStore>();
        // SQLite: new messages join the full-text index in batches (a search catches it up first).
        services.TryAddSingleton<SearchIndexer>();
        services.AddHostedService(sp => sp.GetRequiredService<SearchIndexer>());
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
