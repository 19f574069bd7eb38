namespace GitpleLive.Server.Realtime;

/// <summary>
/// The topic shapes of the protocol. Every filter a client may hold is one of three exact shapes ending in
/// <c>/#</c>, so a subscription is identified by the filter's prefix and an event's subscribers are found by
/// one dictionary lookup of its topic without the category.
/// </summary>
internal static class RealtimeTopics
{
    private static readonly string[] ChannelTypes = ["group", "open"];

    /// <summary>
    /// Parses a filter of the connection's app. Returns false for anything that is not one of the three
    /// shapes: other apps, wildcards above them, <c>+</c> anywhere, exact topics, unknown channel types.
    /// </summary>
    public static bool TryParseFilter(string filter, string appId, out TopicFilterTarget target)
    {
        target = default;
        var prefix = Topics.Prefix(appId);
        if (filter.Length <= prefix.Length + 3
            || !filter.StartsWith(prefix, StringComparison.Ordinal)
            || filter[prefix.Length] != '/'
            || !filter.EndsWith("/#", StringComparison.Ordinal))
            return false;

        var body = filter.AsSpan(prefix.Length + 1, filter.Length - prefix.Length - 3);
        if (body.ContainsAny('+', '#')) return false;

        Span<Range> parts = stackalloc Range[6];
        var count = body.Split(parts, '/');
        for (var i = 0; i < count; i++)
            if (body[parts[i]].IsEmpty) return false;

        var key = filter[..^1];
        if (count == 3 && body[parts[0]].SequenceEqual("user") && body[parts[1]].SequenceEqual("all"))
        {
            target = new TopicFilterTarget(TopicFilterKind.User, "", body[parts[2]].ToString(), key);
            return true;
        }
        if (count == 4 && body[parts[0]].SequenceEqual("channel"))
        {
            string? channelType = null;
            foreach (var t in ChannelTypes)
                if (body[parts[1]].SequenceEqual(t)) channelType = t;
            if (channelType is null) return false;
            var scope = body[parts[3]];
            TopicFilterKind kind;
            if (scope.SequenceEqual("all")) kind = TopicFilterKind.ChannelAll;
            else if (scope.SequenceEqual("manager")) kind = TopicFilterKind.ChannelManager;
            else return false;
            target = new TopicFilterTarget(kind, channelType, body[parts[2]].ToString(), key);
            return true;
        }
        return false;
    }

    /// <summary>The registry key of the filter that carries <paramref name="chatEvent"/>: its topic without the category.</summary>
    public static string KeyOf(ChatEvent chatEvent) => chatEvent.TopicKind switch
    {
        EventTopicKind.User => UserKey(chatEvent.AppId, chatEvent.TargetId),
        EventTopicKind.ChannelAll => ChannelKey(chatEvent.AppId, chatEvent.ChannelType, chatEvent.TargetId, manager: false),
        _ => ChannelKey(chatEvent.AppId, chatEvent.ChannelType, chatEvent.TargetId, manager: true),
    };

    public static string UserKey(string appId, string userId) =>
        Topics.UserBase(appId, userId);

    public static string ChannelKey(string appId, string channelType, string channelId, bool manager) =>
        Topics.ChannelBase(appId, channelType, channelId, manager);
}
