namespace GitpleLive.Chat.Internal;

/// <summary>
/// Remembers the last message id seen per channel, so that message events are raised once and in order:
/// live events at or below the last id are duplicates; while a channel catches up after a reconnect,
/// live events are held back and released after the fetched ones, skipping what the fetch already gave.
/// Every decision and the resulting post happen under one lock, so the dispatcher's order is the decision order.
/// </summary>
internal sealed class MessageTracker
{
    private sealed class State
    {
        public long? LastSeen;
        public bool CatchingUp;
        public SortedDictionary<long, (GroupChannel Channel, Message Message)>? Held;
    }

    private readonly object _lock = new();
    private readonly Dictionary<string, State> _channels = new(StringComparer.Ordinal);

    /// <summary>A live <c>group:message_send</c>: raised now, held back, or dropped as a duplicate.</summary>
    public void OnLive(GroupChannel channel, Message message, Action<GroupChannel, Message> raise)
    {
        lock (_lock)
        {
            var state = Get(Key(channel, message));
            if (state.CatchingUp)
            {
                (state.Held ??= new())[message.MessageId] = (channel, message);
                return;
            }
            Accept(state, channel, message, raise);
        }
    }

    /// <summary>Starts catching up a channel; returns the id to fetch after, or null when nothing is known yet.</summary>
    public long? BeginCatchUp(string channelId)
    {
        lock (_lock)
        {
            var state = Get(channelId);
            state.CatchingUp = true;
            return state.LastSeen;
        }
    }

    /// <summary>A message fetched while catching up (ascending order).</summary>
    public void OnFetched(GroupChannel channel, Message message, Action<GroupChannel, Message> raise)
    {
        lock (_lock) Accept(Get(Key(channel, message)), channel, message, raise);
    }

    /// <summary>Ends catching up: releases the held-back live events that the fetch did not cover.</summary>
    public void EndCatchUp(string channelId, Action<GroupChannel, Message> raise)
    {
        lock (_lock)
        {
            if (!_channels.TryGetValue(channelId, out var state)) return;
            state.CatchingUp = false;
            var held = state.Held;
            state.Held = null;
            if (held is null) return;
            foreach (var (channel, message) in held.Values) Accept(state, channel, message, raise);
        }
    }

    /// <summary>Sets the last seen id when none is known or the given one is newer (the channel's last message at connect time).</summary>
    public void SetBaseline(string channelId, long messageId)
    {
        lock (_lock)
        {
            var state = Get(channelId);
            if (state.LastSeen is null || messageId > state.LastSeen) state.LastSeen = messageId;
        }
    }

    public long? LastSeen(string channelId)
    {
        lock (_lock) return _channels.TryGetValue(channelId, out var s) ? s.LastSeen : null;
    }

    public bool IsKnown(string channelId)
    {
        lock (_lock) return _channels.TryGetValue(channelId, out var s) && s.LastSeen is not null;
    }

    /// <summary>Forgets a channel the user no longer hears (left, banned, deleted).</summary>
    public void Forget(string channelId)
    {
        lock (_lock) _channels.Remove(channelId);
    }

    /// <summary>Keeps only the given channels.</summary>
    public void RetainOnly(IReadOnlySet<string> channelIds)
    {
        lock (_lock)
        {
            foreach (var id in _channels.Keys.Where(id => !channelIds.Contains(id)).ToList()) _channels.Remove(id);
        }
    }

    public void Clear()
    {
        lock (_lock) _channels.Clear();
    }

    private static string Key(GroupChannel channel, Message message) =>
        string.IsNullOrEmpty(message.ChannelId) ? channel.ChannelId : message.ChannelId;

    private State Get(string channelId)
    {
        if (!_channels.TryGetValue(channelId, out var state)) _channels[channelId] = state = new State();
        return state;
    }

    private static void Accept(State state, GroupChannel channel, Message message, Action<GroupChannel, Message> raise)
    {
        if (state.LastSeen is long last && message.MessageId <= last) return;
        state.LastSeen = message.MessageId;
        raise(channel, message);
    }
}
