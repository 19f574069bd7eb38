namespace GitpleLive.Server.Events;

/// <summary>
/// Restores each channel's commit order for events relayed between nodes, without any lock across the network.
/// <para>
/// Message ids within a channel follow commit order (the send takes the channel's row lock before its id is drawn),
/// and every send's event carries the channel's previous last message id read under that lock
/// (<see cref="ChatEvent.Order"/>): a chain. Nodes publish after they commit, so two sends into one channel from two
/// nodes may reach Redis out of order; a node receiving a send whose predecessor it has not delivered yet holds it —
/// and every later event of that channel behind it — until the predecessor arrives, or for at most
/// <see cref="HoldLimit"/> (a node that stopped between commit and publish). Every node receives every event, so a
/// channel that had a send within <see cref="Memory"/> is known; an unknown channel's previous send is older than
/// that, long since delivered. A delete that removes the channel's last message lowers the previous id, which never
/// holds anything.
/// </para>
/// Thread-safe; deliveries happen inside the lock, in order.
/// </summary>
internal sealed class RelayOrder : IDisposable
{
    public static readonly TimeSpan HoldLimit = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan Memory = TimeSpan.FromSeconds(60);
    private const int MaxChannels = 200_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string App, string Channel), ChannelState> _channels = new();
    private readonly Action<ChatEvent> _deliver;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private int _holding;

    public RelayOrder(Action<ChatEvent> deliver, TimeProvider time)
    {
        _deliver = deliver;
        _time = time;
        _timer = time.CreateTimer(_ => Tick(), null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
    }

    /// <summary>Delivers <paramref name="e"/> now, or holds it until its channel's earlier send has been delivered.</summary>
    public void Accept(ChatEvent e)
    {
        if (e.TopicKind is not (EventTopicKind.ChannelAll or EventTopicKind.ChannelManager) && e.Order is null)
        {
            lock (_gate) _deliver(e);
            return;
        }
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            var key = (e.AppId, e.TargetId);
            if (!_channels.TryGetValue(key, out var state))
            {
                if (e.Order is null)
                {
                    _deliver(e);
                    return;
                }
                if (_channels.Count >= MaxChannels) Forget(now);
                _channels[key] = state = new ChannelState { LastId = e.Order.Value.PreviousMessageId };
            }
            state.SeenAt = now;
            if (state.Held.Count > 0 || e.Order is { } o && o.PreviousMessageId > state.LastId)
            {
                state.Held.Enqueue((e, now));
                _holding++;
                Drain(state, now, force: false);
                return;
            }
            Deliver(state, e);
        }
    }

    private void Deliver(ChannelState state, ChatEvent e)
    {
        if (e.Order is { } o && o.MessageId > state.LastId) state.LastId = o.MessageId;
        _deliver(e);
    }

    /// <summary>Delivers the held events that may go now (all of the first ones, when <paramref name="force"/>).</summary>
    private void Drain(ChannelState state, long now, bool force)
    {
        while (state.Held.TryPeek(out var next))
        {
            var ready = next.Event.Order is not { } o || o.PreviousMessageId <= state.LastId;
            if (!ready && !force && _time.GetElapsedTime(next.HeldAt, now) < HoldLimit)
            {
                // Its predecessor may yet come: a later send that completes the chain is delivered first, then this.
                if (!TryDeliverPredecessors(state)) return;
                continue;
            }
            state.Held.Dequeue();
            _holding--;
            Deliver(state, next.Event);
            force = false;
        }
    }

    /// <summary>
    /// Looks among the held sends for one that continues the chain from the last delivered id (it overtook the
    /// held head on its way) and delivers it out of the queue. True when one was found.
    /// </summary>
    private bool TryDeliverPredecessors(ChannelState state)
    {
        (ChatEvent Event, long HeldAt)? found = null;
        foreach (var item in state.Held)
            if (item.Event.Order is { } o && o.PreviousMessageId <= state.LastId)
            {
                found = item;
                break;
            }
        if (found is not { } f) return false;
        var rest = state.Held.Where(x => !ReferenceEquals(x.Event, f.Event)).ToList();
        state.Held.Clear();
        foreach (var x in rest) state.Held.Enqueue(x);
        _holding--;
        Deliver(state, f.Event);
        return true;
    }

    private void Tick()
    {
        var now = _time.GetTimestamp();
        lock (_gate)
        {
            if (_holding == 0) return;
            foreach (var state in _channels.Values)
                if (state.Held.TryPeek(out var head) && _time.GetElapsedTime(head.HeldAt, now) >= HoldLimit)
                    Drain(state, now, force: true);
        }
    }

    private void Forget(long now)
    {
        foreach (var (key, state) in _channels)
            if (state.Held.Count == 0 && _time.GetElapsedTime(state.SeenAt, now) > Memory) _channels.Remove(key);
        if (_channels.Count < MaxChannels) return;
        foreach (var (key, state) in _channels)
            if (state.Held.Count == 0) _channels.Remove(key);
    }

    /// <summary>Number of events held right now (for tests and metrics).</summary>
    public int Holding
    {
        get
        {
            lock (_gate) return _holding;
        }
    }

    public void Dispose() => _timer.Dispose();

    private sealed class ChannelState
    {
        public long LastId;
        public long SeenAt;
        public readonly Queue<(ChatEvent Event, long HeldAt)> Held = new();
    }
}
