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

    /// <summary>
    /// A write that raises events: <paramref name="events"/> is evaluated on the writer from the work's result, right after the
    /// work and its changes succeeded, inside the write's savepoint, where the writer's stages store the events' webhook
    /// deliveries (a change committed means its deliveries are). Once the batch has committed, <paramref name="publish"/> is
    /// called with them on the writer, in commit order, and the write is answered when it has finished.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<ChatDbContext, Task<T>> work, Func<T, IReadOnlyList<ChatEvent>> events,
        Func<IReadOnlyList<ChatEvent>, ValueTask> publish, CancellationToken cancellationToken = default)
    {
        // Evaluated by the writer after the work's changes are saved (each attempt anew), read by the after-commit step.
        IReadOnlyList<ChatEvent> raised = [];
        return writer.WriteAsync(scope => work(scope.Db),
            afterCommit: _ => raised.Count == 0 ? ValueTask.CompletedTask : publish(raised), cancellationToken,
            events: result => raised = events(result));
    }

    /// <summary>The write above (events raised in it, published after its commit) through <paramref name="publisher"/>.</summary>
    public Task<T> WriteAsync<T>(Func<ChatDbContext, Task<T>> work, Func<T, IReadOnlyList<ChatEvent>> events, IEventPublisher publisher,
        CancellationToken cancellationToken = default) =>
        WriteAsync(work, events, raised => publisher.PublishAsync(raised), cancellationToken);
}
