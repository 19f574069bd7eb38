namespace GitpleLive.Server.Realtime;

/// <summary>What a topic filter a client may hold points at (PROTOCOL §6).</summary>
internal enum TopicFilterKind
{
    /// <summary><c>P/user/all/{user_id}/#</c></summary>
    User,
    /// <summary><c>P/channel/{type}/{channel_id}/all/#</c></summary>
    ChannelAll,
    /// <summary><c>P/channel/{type}/{channel_id}/manager/#</c></summary>
    ChannelManager,
}
