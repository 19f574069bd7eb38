namespace GitpleLive.Server.Events;

/// <summary>Where an event is published (PROTOCOL §6).</summary>
public enum EventTopicKind
{
    /// <summary><c>P/user/all/{user_id}/{category}</c></summary>
    User,
    /// <summary><c>P/channel/{type}/{channel_id}/all/{category}</c></summary>
    ChannelAll,
    /// <summary><c>P/channel/{type}/{channel_id}/manager/{category}</c></summary>
    ChannelManager,
    /// <summary>
    /// Between server nodes only (cache invalidation and the like): sinks that deliver to clients skip it, and it has no
    /// MQTT topic. Its category names what happened (e.g. <c>AppCache.AppChangedCategory</c>).
    /// </summary>
    Node,
    /// <summary>
    /// For the app's backend only (webhooks): a stored change with no realtime event of its own, such as a user's or a
    /// channel's creation. The webhook publisher takes it out before realtime publication, so no node relays it and no
    /// sink sees it. Its target is the channel id (with <see cref="ChatEvent.ChannelType"/>) or, when the channel type is
    /// empty, the user id.
    /// </summary>
    Webhook,
}
