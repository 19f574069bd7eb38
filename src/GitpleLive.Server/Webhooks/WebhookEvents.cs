namespace GitpleLive.Server.Webhooks;

/// <summary>The webhook-only events of changes that raise no realtime event (<see cref="EventTopicKind.Webhook"/>).</summary>
public static class WebhookEvents
{
    /// <summary><c>group:channel_create</c>: the channel, and who it started with.</summary>
    public static ChatEvent ChannelCreated(string appId, ChannelRow channel, ChannelDto dto, IReadOnlyList<string> memberIds,
        IReadOnlyCollection<string> managerIds) => new()
    {
        AppId = appId,
        TopicKind = EventTopicKind.Webhook,
        TargetId = channel.ChannelId,
        ChannelType = channel.Type,
        Payload = new EventPayload(WebhookCategories.ChannelCreate, Channel: dto,
            Data: new ChannelCreateData(memberIds, memberIds.Where(managerIds.Contains).ToList())),
    };

    /// <summary><c>user_create</c>: the new user.</summary>
    public static ChatEvent UserCreated(string appId, UserDto user) => new()
    {
        AppId = appId,
        TopicKind = EventTopicKind.Webhook,
        TargetId = user.UserId,
        ChannelType = "",
        Payload = new EventPayload(WebhookCategories.UserCreate, User: user),
    };

    /// <summary>What orders a change's deliveries: its channel, else its user.</summary>
    internal static string OrderKey(ChatEvent e) => e.TopicKind switch
    {
        EventTopicKind.User => "user:" + e.TargetId,
        EventTopicKind.Webhook when e.ChannelType.Length == 0 => "user:" + e.TargetId,
        _ => "channel:" + e.ChannelType + ":" + e.TargetId,
    };
}

/// <summary>The <c>data</c> of <c>group:channel_create</c>.</summary>
public sealed record ChannelCreateData(IReadOnlyList<string> MemberIds, IReadOnlyList<string> ManagerIds);

/// <summary>
/// What a webhook POSTs (PROTOCOL §10): <c>{ delivery_id, app_id, category, timestamp, channel?, user?, message?, data? }</c>.
/// </summary>
public sealed record WebhookBody(string DeliveryId, string AppId, string Category, long Timestamp,
    object? Channel = null, object? User = null, object? Message = null, object? Data = null);
