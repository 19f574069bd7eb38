namespace GitpleLive.Server.Storage;

/// <summary>
/// Units of work on the chat store. Each write runs atomically — a refusal half-way leaves nothing
/// behind — through the <see cref="StoreWriter"/>: every write waiting at that moment shares one
/// transaction (group commit), each in a savepoint of its own, and is answered after that commit.
/// </summary>
public sealed class ChatStore(IDbContextFactory<ChatDbContext> factory, StoreWriter writer)
{
    public async Task<T> ReadAsync<T>(Func<ChatDbContext, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        return await work(db);
    }

    public Task<T> WriteAsync<T>(Func<ChatDbContext, Task<T>> work, CancellationToken cancellationToken = default)
        => writer.WriteAsync(scope => work(scope.Db), cancellationToken: cancellationToken);

    public Task WriteAsync(Func<ChatDbContext, Task> work, CancellationToken cancellationToken = default) =>
        WriteAsync(async db => { await work(db); return true; }, cancellationToken);
}
