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
            .UseNpgsql(PostgresConnectionString(sp.GetRequiredService<ChatServerOptions>())));
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

    /// <summary>
    /// The configured PostgreSQL connection string, with Npgsql's automatic preparation on unless it was set: statements
    /// run often (the send's, which the writer sends in batches, and EF Core's lookups) are then parsed and planned once
    /// per connection.
    /// </summary>
    internal static string? PostgresConnectionString(ChatServerOptions options)
    {
        if (string.IsNullOrEmpty(options.ConnectionString)) return options.ConnectionString;
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(options.ConnectionString);
            if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = 64;
            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return options.ConnectionString; // malformed: Npgsql refuses it on first use, as it would have anyway
        }
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
