using System.Text.Json;

namespace GitpleLive.Server.Services;

/// <summary>What a send may add (PROTOCOL §10): the thread it replies to and the members it mentions.</summary>
/// <param name="ParentMessageId">The top-level message of the same channel this one replies to.</param>
/// <param name="MentionedUserIds">Members of the channel, de-duplicated, at most <see cref="Limits.MaxMentions"/>.</param>
public sealed record SendExtras(long? ParentMessageId, IReadOnlyList<string>? MentionedUserIds)
{
    /// <summary>Null when the send names neither (the plain send path).</summary>
    public static SendExtras? Of(long? parentMessageId, IReadOnlyList<string>? mentionedUserIds) =>
        parentMessageId is null && mentionedUserIds is not { Count: > 0 } ? null
            : new SendExtras(parentMessageId, mentionedUserIds is { Count: > 0 } ? mentionedUserIds : null);
}

/// <summary>
/// The send path's PROTOCOL §10 additions (replies and mentions) and the reactions aggregate that every message read
/// attaches. Kept apart from <see cref="MessageService.SendAsync"/> so the send path stays one short read-check-write:
/// it calls <see cref="BeforeInsertAsync"/> and <see cref="AfterInsertAsync"/> inside its transaction, and does nothing
/// more when a send has no extras.
/// </summary>
public static class MessageExtras
{
    /// <summary>
    /// Checks the extras inside the send's transaction, before the message row is added: every mentioned user is a member
    /// (an unknown one 400/1004, a non-member 400/1008, each naming the id), and the parent is a top-level message of this
    /// channel (missing 1005, itself a reply 1001). Then copies them onto <paramref name="row"/>.
    /// </summary>
    public static async Task BeforeInsertAsync(ChatDbContext db, string appId, string channelId, SendExtras? extras, MessageRow row,
        CancellationToken cancellationToken)
    {
        if (extras is null) return;
        if (extras.MentionedUserIds is { Count: > 0 } mentions)
        {
            var members = await db.Members.AsNoTracking()
                .Where(m => m.AppId == appId && m.ChannelId == channelId && mentions.Contains(m.UserId))
                .Select(m => m.UserId).ToListAsync(cancellationToken);
            if (mentions.FirstOrDefault(u => !members.Contains(u)) is { } missing)
            {
                var exists = await db.Users.AnyAsync(u => u.AppId == appId && u.UserId == missing, cancellationToken);
                throw exists
                    ? ApiException.Invalid(ErrorCodes.NotJoined,
                        $"mentioned_user_ids: user '{missing}' is not a member of channel '{channelId}'")
                    : ApiException.Invalid(ErrorCodes.UserNotFound, $"mentioned_user_ids: user '{missing}' not found");
            }
            row.MentionedUserIds = JsonSerializer.Serialize(mentions);
        }
        if (extras.ParentMessageId is { } parentId)
        {
            var parent = await db.Messages.AsNoTracking()
                .Where(m => m.AppId == appId && m.ChannelId == channelId && m.MessageId == parentId)
                .Select(m => new { m.ParentMessageId }).FirstOrDefaultAsync(cancellationToken)
                ?? throw ApiException.NotFound(ErrorCodes.MessageNotFound,
                    $"parent_message_id: message {parentId} not found in channel '{channelId}'");
            if (parent.ParentMessageId is not null)
                throw ApiException.BadRequest(
                    $"parent_message_id: message {parentId} is itself a reply; reply to its parent {parent.ParentMessageId} instead");
            row.ParentMessageId = parentId;
        }
    }

    /// <summary>
    /// After the reply's row is stored, in the same transaction: the parent's <c>reply_count</c> goes up and its
    /// <c>last_reply_at</c> becomes the reply's time. Returns the parent as it now is (for its <c>group:message_update</c>),
    /// or null when the message is not a reply.
    /// </summary>
    public static async Task<MessageDto?> AfterInsertAsync(ChatDbContext db, MessageMapper mapper, MessageRow row,
        CancellationToken cancellationToken)
    {
        if (row.ParentMessageId is not { } parentId) return null;
        await db.Messages.Where(m => m.AppId == row.AppId && m.MessageId == parentId)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.ReplyCount, m => m.ReplyCount + 1)
                .SetProperty(m => m.LastReplyAt, row.CreatedAt)
                .SetProperty(m => m.UpdatedAt, row.CreatedAt), cancellationToken);
        var parents = await mapper.LoadAsync(db, row.AppId, db.Messages.AsNoTracking()
            .Where(m => m.AppId == row.AppId && m.MessageId == parentId), cancellationToken);
        return parents.FirstOrDefault();
    }

    /// <summary>
    /// When a message is deleted, in its transaction: its reactions go, and when it was a reply its parent's
    /// <c>reply_count</c> goes down and <c>last_reply_at</c> becomes the newest remaining reply's time. Returns the parent
    /// as it now is, or null. A deleted parent's replies stay in the channel's history, still naming their parent.
    /// </summary>
    public static async Task<MessageDto?> OnDeleteAsync(ChatDbContext db, MessageMapper mapper, MessageRow deleted,
        CancellationToken cancellationToken)
    {
        await db.Reactions.Where(r => r.AppId == deleted.AppId && r.MessageId == deleted.MessageId).ExecuteDeleteAsync(cancellationToken);
        if (deleted.ParentMessageId is not { } parentId) return null;
        var id = deleted.MessageId;
        var last = await db.Messages.Where(m => m.AppId == deleted.AppId && m.ParentMessageId == parentId && m.MessageId != id)
            .MaxAsync(m => (long?)m.CreatedAt, cancellationToken);
        var updated = await db.Messages.Where(m => m.AppId == deleted.AppId && m.MessageId == parentId && m.ReplyCount > 0)
            .ExecuteUpdateAsync(s => s
                .SetProperty(m => m.ReplyCount, m => m.ReplyCount - 1)
                .SetProperty(m => m.LastReplyAt, last), cancellationToken);
        if (updated == 0) return null;
        var parents = await mapper.LoadAsync(db, deleted.AppId, db.Messages.AsNoTracking()
            .Where(m => m.AppId == deleted.AppId && m.MessageId == parentId), cancellationToken);
        return parents.FirstOrDefault();
    }

    /// <summary>A message event on the channel's topic (channel, message), as <see cref="MessageService"/> raises them.</summary>
    public static ChatEvent Event(string appId, ChannelRow channel, string category, MessageDto message) => new()
    {
        AppId = appId,
        TopicKind = EventTopicKind.ChannelAll,
        TargetId = channel.ChannelId,
        ChannelType = channel.Type,
        Payload = new EventPayload(category, Channel: ChannelService.ToDto(channel), Message: message),
    };

    /// <summary>
    /// The message (1005 when it is not in the channel), tracked for a change; <paramref name="channelKind"/> names the kind
    /// of channel in the refusal ("channel", "open channel").
    /// </summary>
    public static async Task<MessageRow> RequireMessageAsync(ChatDbContext db, string appId, string channelId, long messageId,
        CancellationToken cancellationToken, string channelKind = "channel") =>
        await db.Messages.FirstOrDefaultAsync(m => m.AppId == appId && m.ChannelId == channelId && m.MessageId == messageId,
            cancellationToken)
        ?? throw ApiException.NotFound(ErrorCodes.MessageNotFound, $"message {messageId} not found in {channelKind} '{channelId}'");

    /// <summary>The message as the wire has it now: its sender and its reactions joined in.</summary>
    public static async Task<MessageDto> CurrentAsync(ChatDbContext db, MessageMapper mapper, MessageRow m,
        CancellationToken cancellationToken)
    {
        var sender = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.AppId == m.AppId && u.UserId == m.UserId,
            cancellationToken);
        var reactions = await LoadReactionsAsync(db, m.AppId, [m.MessageId], cancellationToken);
        return mapper.ToDto(m, sender, reactions.GetValueOrDefault(m.MessageId));
    }

    /// <summary>
    /// An SDK user's right to act in the channel as a sender would (reactions, typing, edits): a member (1008), and when
    /// the channel is frozen a manager (1009). The Platform API passes.
    /// </summary>
    public static async Task<ChannelRow> RequireCanActAsync(ChatDbContext db, ChatCaller caller, string channelId,
        CancellationToken cancellationToken)
    {
        var channel = await db.RequireChannelAsync(caller.AppId, channelId, cancellationToken);
        var member = await db.RequireMemberAsync(caller, channelId, cancellationToken);
        if (member is { IsManager: false } && channel.Freeze)
            throw ApiException.Forbidden(ErrorCodes.ChannelFrozen, $"channel '{channelId}' is frozen");
        return channel;
    }

    /// <summary>The stored mention list (a JSON array) as the wire's list; null when none.</summary>
    public static IReadOnlyList<string>? ReadMentions(string? json) =>
        json is null ? null : JsonSerializer.Deserialize<List<string>>(json) is { Count: > 0 } list ? list : null;

    /// <summary>
    /// The reactions of <paramref name="messageIds"/> in one query, aggregated per message and key: the keys in the order
    /// they were first used, each with its count and its first <see cref="Limits.ReactionUserIds"/> users. Messages without
    /// reactions are absent from the answer.
    /// </summary>
    public static async Task<Dictionary<long, IReadOnlyList<ReactionDto>>> LoadReactionsAsync(ChatDbContext db, string appId,
        IReadOnlyCollection<long> messageIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<long, IReadOnlyList<ReactionDto>>();
        if (messageIds.Count == 0) return result;
        // One round trip for the whole page. The rows are bounded by members × keys (Limits.MaxReactionKeys) per message.
        var rows = await db.Reactions.AsNoTracking()
            .Where(r => r.AppId == appId && messageIds.Contains(r.MessageId))
            .OrderBy(r => r.CreatedAt).ThenBy(r => r.Key).ThenBy(r => r.UserId)
            .Select(r => new { r.MessageId, r.Key, r.UserId })
            .ToListAsync(cancellationToken);
        foreach (var message in rows.GroupBy(r => r.MessageId))
        {
            result[message.Key] = message.GroupBy(r => r.Key, StringComparer.Ordinal)
                .Select(k => new ReactionDto(k.Key, k.Count(), k.Take(Limits.ReactionUserIds).Select(r => r.UserId).ToList()))
                .ToList();
        }
        return result;
    }
}
