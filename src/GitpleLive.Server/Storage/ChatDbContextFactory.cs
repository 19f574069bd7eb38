namespace GitpleLive.Server.Storage;

/// <summary>
/// Hands out a provider's contexts as the provider-neutral <see cref="ChatDbContext"/>: each provider has its own
/// context type, so each keeps its own migrations, and services only see <see cref="ChatDbContext"/>.
/// </summary>
internal sealed class ChatDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<ChatDbContext>
    where TContext : ChatDbContext
{
    public ChatDbContext CreateDbContext() => inner.CreateDbContext();

    public async Task<ChatDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        await inner.CreateDbContextAsync(cancellationToken);
}
