using Microsoft.EntityFrameworkCore;

namespace GitpleLive.Server.Storage;

// One context type per provider, so each keeps its own migrations; services only see ChatDbContext.

/// <summary>The chat store on SQLite (the single-machine default).</summary>
public sealed class SqliteChatDbContext(DbContextOptions<SqliteChatDbContext> options) : ChatDbContext(options);

/// <summary>The chat store on PostgreSQL (for more than one server node).</summary>
public sealed class PostgresChatDbContext(DbContextOptions<PostgresChatDbContext> options) : ChatDbContext(options);

/// <summary>Hands out a provider's contexts as the provider-neutral <see cref="ChatDbContext"/>.</summary>
internal sealed class ChatDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<ChatDbContext>
    where TContext : ChatDbContext
{
    public ChatDbContext CreateDbContext() => inner.CreateDbContext();

    public async Task<ChatDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await inner.CreateDbContextAsync(cancellationToken);
}
