namespace GitpleLive.Server.Realtime;

/// <summary>The connections subscribed to one key.</summary>
internal sealed class TopicSubscribers(string key)
{
    public string Key { get; } = key;

    /// <summary>
    /// Held while an event is handed to this key's subscribers and while the set changes, so every subscriber
    /// sees the key's events in one order and a cut falls between two events, never inside one.
    /// </summary>
    public readonly Lock Gate = new();

    /// <summary>The live subscribers; replaced, never changed in place, so a reader may keep the array it got.</summary>
    public RealtimeConnection[] Connections = [];

    public List<PendingSubscription>? Pending;

    public bool Removed;
}
