namespace GitpleLive.Server.Storage;

/// <summary>
/// What the <see cref="StoreWriter"/> stores beside a write for the events it raised (its <c>events</c>): the
/// webhook deliveries (<c>Webhooks/WebhookStage</c>). Called on the writer, in commit order, once the write's work and its
/// EF Core changes succeeded and before its savepoint is released, so what it adds commits with the change or not at all.
/// Registered with <c>TryAddEnumerable</c>; it must not depend on <see cref="ChatStore"/> or <see cref="StoreWriter"/>
/// (the writer is built with its stages).
/// </summary>
public interface IWriteStage
{
    /// <summary>Adds this stage's rows for <paramref name="events"/> through <paramref name="scope"/>; returns how many.</summary>
    ValueTask<int> StageAsync(WriteScope scope, IReadOnlyList<ChatEvent> events);

    /// <summary>A batch holding <paramref name="count"/> rows of the stages has committed (called on the writer).</summary>
    void Committed(int count);
}
