namespace GitpleLive.Server.Realtime;

/// <summary>A subscription whose ACL check is running.</summary>
internal sealed class PendingSubscription(TopicSubscribers topic, RealtimeConnection connection)
{
    public TopicSubscribers Topic { get; } = topic;
    public RealtimeConnection Connection { get; } = connection;
    /// <summary>Set when a cut for this user hit the topic during the check.</summary>
    public bool Cut;
}
