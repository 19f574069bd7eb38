namespace GitpleLive.Server.Storage;

/// <summary>
/// What the <see cref="StoreWriter"/> stores beside a write for the events it raised (its <c>events</c>): the
/// webhook deliveries (<c>Webhooks/WebhookStage</c>). Called on the writer, in commit order, once the write's work and its
/// EF Core changes succeeded and before its savepoint is released; what it derives is held until the batch is about to
/// commit, then written in the batch's transaction (<see cref="IWriteStage.FlushAsync"/>): it commits with the changes
/// that raised it or not at all, and a write rolled back takes its rows with it (<see cref="IWriteStage.Truncate"/>).
/// Registered with <c>TryAddEnumerable</c>; it must not depend on <see cref="ChatStore"/> or <see cref="StoreWriter"/>
/// (the writer is built with its stages).
/// </summary>
public interface IWriteStage
{
    /// <summary>
    /// Derives this stage's rows for <paramref name="events"/> and holds them for the batch (read through
    /// <paramref name="scope"/> if it must); returns how many. They are written by <see cref="FlushAsync"/>.
    /// </summary>
    ValueTask<int> StageAsync(WriteScope scope, IReadOnlyList<ChatEvent> events);

    /// <summary>How many rows are held now: a write that fails after staging is undone with <see cref="Truncate"/>.</summary>
    int Mark();

    /// <summary>Forgets the rows held since <paramref name="mark"/> (their write was rolled back).</summary>
    void Truncate(int mark);

    /// <summary>Writes every held row through <paramref name="scope"/>, just before the batch commits, and forgets them.</summary>
    ValueTask FlushAsync(WriteScope scope);

    /// <summary>A batch holding <paramref name="count"/> rows of the stages has committed (called on the writer).</summary>
    void Committed(int count);
}
