namespace GitpleLive.Server.Storage;

/// <summary>
/// Units of work on the chat store. Writes run in one transaction each, so a refusal half-way
/// leaves nothing behind. SQLite allows one writer at a time, so on SQLite this process queues its
/// writers itself instead of spinning on SQLITE_BUSY; PostgreSQL takes row locks instead.
/// </summary>
public sealed class ChatStore(IDbContextFactory<ChatDbContext> factory, StoreWriteGate gate)
{
    public async Task<T> ReadAsync<T>(Func<ChatDbContext, Task<T>> work, CancellationToken cancellationToken = default)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        db.ChangeTracker.QueryTrackingBehavior = QueryTrackingBehavior.NoTracking;
        return await work(db);
    }

    public async Task<T> WriteAsync<T>(Func<ChatDbContext, Task<T>> work, CancellationToken cancellationToken = default)
    {
        using var _ = await gate.EnterAsync(cancellationToken);
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var result = await work(db);
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return result;
    }

    public Task WriteAsync(Func<ChatDbContext, Task> work, CancellationToken cancellationToken = default) =>
        WriteAsync(async db => { await work(db); return true; }, cancellationToken);
}
