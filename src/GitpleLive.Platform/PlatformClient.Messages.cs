using GitpleLive.Chat;

namespace GitpleLive.Platform;

// Message extensions (PROTOCOL §10): edits, reactions, replies, mentions and typing, acting for any user.
public sealed partial class PlatformClient
{
    /// <summary>Sends a text message as <paramref name="senderId"/> with a parent (a reply), mentions or meta.</summary>
    /// <exception cref="GitpleLiveException">1005 when the parent is not a top-level message of the channel (1001 when it is a
    /// reply), 1004 or 1008 for a mentioned user who is unknown or not a member.</exception>
    public Task<PlatformMessage> SendTextMessageAsync(string channelId, string senderId, string content, PlatformSendOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return SendAsync(HttpMethod.Post, $"v1/group/channels/{Esc(channelId)}/messages", Body(("user_id", senderId), ("type", "text"),
            ("content", content), ("meta", options.Meta), ("parent_message_id", options.ParentMessageId),
            ("mentioned_user_ids", options.MentionedUserIds)), PlatformJson.Default.PlatformMessage, cancellationToken);
    }

    /// <summary>Replaces a text message's content (any sender's: the app's backend is trusted and not filtered).</summary>
    public Task<PlatformMessage> UpdateMessageAsync(string channelId, long messageId, string content,
        CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"v1/group/channels/{Esc(channelId)}/messages/{messageId}", Body(("content", content)),
            PlatformJson.Default.PlatformMessage, cancellationToken);

    /// <summary>Adds <paramref name="userId"/>'s reaction (that member's rights apply); adding it twice changes nothing.</summary>
    public Task<PlatformMessage> AddReactionAsync(string channelId, long messageId, string userId, string key,
        CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/group/channels/{Esc(channelId)}/messages/{messageId}/reactions",
            Body(("user_id", userId), ("key", key)), PlatformJson.Default.PlatformMessage, cancellationToken);

    /// <summary>Removes <paramref name="userId"/>'s reaction; removing one that is not there changes nothing.</summary>
    public Task<PlatformMessage> RemoveReactionAsync(string channelId, long messageId, string userId, string key,
        CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"v1/group/channels/{Esc(channelId)}/messages/{messageId}/reactions",
            Body(("user_id", userId), ("key", key)), PlatformJson.Default.PlatformMessage, cancellationToken);

    /// <summary>The <paramref name="limit"/> newest replies of a thread before <paramref name="beforeMessageId"/> (or the
    /// newest), ascending.</summary>
    public async Task<IReadOnlyList<PlatformMessage>> GetRepliesAsync(string channelId, long parentMessageId, int limit = 20,
        long? beforeMessageId = null, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, $"v1/group/channels/{Esc(channelId)}/messages/{parentMessageId}/replies?limit={limit}"
            + (beforeMessageId is { } b ? $"&base_message_id={b}" : ""),
            null, PlatformJson.Default.MessagePage, cancellationToken).ConfigureAwait(false)).Messages;

    /// <summary>Shows <paramref name="userId"/> typing in the channel, or not (a member; never stored, expires after 5 s).</summary>
    public Task SetTypingAsync(string channelId, string userId, bool typing, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"v1/group/channels/{Esc(channelId)}/typing", Body(("user_id", userId), ("typing", typing)),
            cancellationToken);
}
