namespace GitpleLive.Server.Services;

/// <summary>The events of channel changes: to the channel's subscribers, or to one user.</summary>
internal static class ChannelEvents
{
    public static ChatEvent ToChannel(string appId, ChannelRow channel, string category, object? user = null, object? data = null,
        IReadOnlyList<SubscriptionCut>? cuts = null, object? channelPayload = null) => new()
    {
        AppId = appId,
        TopicKind = EventTopicKind.ChannelAll,
        TargetId = channel.ChannelId,
        ChannelType = channel.Type,
        Payload = new EventPayload(category, Channel: channelPayload ?? ChannelService.ToDto(channel), User: user, Data: data),
        CutsAfter = cuts ?? [],
    };

    public static ChatEvent ToUser(string appId, string userId, string category, UserDto user, ChannelDto channel) => new()
    {
        AppId = appId,
        TopicKind = EventTopicKind.User,
        TargetId = userId,
        Payload = new EventPayload(category, Channel: channel, User: user),
    };
}
