namespace GitpleLive.Server.Services;

/// <summary>
/// Orders sends within a channel: a send holds its channel's slot from before its message id is
/// assigned until its event is published, so subscribers receive <c>group:message_send</c> in
/// <c>message_id</c> order (clients de-duplicate by "last id seen" and would drop a late lower id).
/// Channels hash onto a fixed set of slots, so unrelated channels rarely wait on each other.
/// </summary>
public sealed class ChannelSequencer
{
    private readonly SemaphoreSlim[] _slots = Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async ValueTask<Releaser> EnterAsync(string appId, string channelId, CancellationToken cancellationToken)
    {
        var slot = _slots[(uint)HashCode.Combine(appId, channelId) % (uint)_slots.Length];
        await slot.WaitAsync(cancellationToken);
        return new Releaser(slot);
    }

    public readonly struct Releaser(SemaphoreSlim slot) : IDisposable
    {
        public void Dispose() => slot.Release();
    }
}
