namespace GitpleLive.Server.Services;

/// <summary>
/// A thread's replies (PROTOCOL §10), paged as the channel's history is (§5.3): ascending by id, <c>prev</c> the newest
/// before the base, <c>next</c> the oldest after it. Replies are also in the channel's own history, each naming its parent.
/// </summary>
public sealed class ReplyService(ChatStore store, MessageMapper mapper)
{
    /// <summary>The replies of <paramref name="messageId"/>: member only (1008); the parent must be in the channel (1005).</summary>
    public Task<MessagePage> ListAsync(ChatCaller caller, string channelId, long messageId, MessageQuery query,
        CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        var ct = cancellationToken;
        return store.ReadAsync(async db =>
        {
            await db.RequireChannelAsync(appId, channelId, ct);
            await db.RequireMemberAsync(caller, channelId, ct);
            if (!await db.Messages.AnyAsync(m => m.AppId == appId && m.ChannelId == channelId && m.MessageId == messageId, ct))
                throw ApiException.NotFound(ErrorCodes.MessageNotFound, $"message {messageId} not found in channel '{channelId}'");
            var q = db.Messages.Where(m => m.AppId == appId && m.ParentMessageId == messageId && m.ChannelId == channelId);
            if (query.Type is not null) q = q.Where(m => m.Type == query.Type);
            return await MessagePager.LoadAsync(db, mapper, appId, q, query, ct);
        }, ct);
    }
}
