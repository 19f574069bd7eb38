namespace GitpleLive.Server.Services;

/// <summary>
/// Messages: send (text and file), history paging, delete, meta. A send writes O(1) rows — the
/// message and the channel's counters — whatever the channel's size; unread counts derive from
/// members' read positions.
/// </summary>
public sealed class MessageService(
    ChatStore store, IEventPublisher events, MessageMapper mapper, IFileStore files, StoreWriter writer, ProfanityFilter profanity,
    TimeProvider time, Push.PushOutbox push, SearchIndexer index)
{
    public sealed record FileUpload(Stream Content, string Name, string ContentType);

    private static ChatEvent MessageEvent(string appId, ChannelRow channel, string category, MessageDto message,
        long? previousMessageId = null, long? stamp = null) => new()
    {
        AppId = appId,
        TopicKind = EventTopicKind.ChannelAll,
        TargetId = channel.ChannelId,
        ChannelType = channel.Type,
        Payload = new EventPayload(category, Channel: ChannelService.ToDto(channel), Message: message),
        Order = previousMessageId is { } previous ? new MessageOrder(message.MessageId, previous) : null,
        Stamp = stamp,
    };

    /// <summary>
    /// Sends as the SDK caller, or for the Platform API as <paramref name="senderId"/>: it may send as
    /// any existing user, also into frozen channels. SDK callers pass no sender. <paramref name="extras"/> (a reply's parent,
    /// mentions: PROTOCOL §10) are checked and applied by <see cref="MessageExtras"/> inside the same transaction.
    /// </summary>
    public async Task<MessageDto> SendAsync(ChatCaller caller, string channelId, string? senderId, string? content, FileUpload? file,
        Dictionary<string, string>? meta, SendExtras? extras = null, CancellationToken cancellationToken = default)
    {
        var started = Operations.ChatMetrics.Start();
        var app = caller.App;
        var asPlatform = caller.IsPlatform;
        if (!asPlatform && senderId is not null && senderId != caller.UserId)
            throw ApiException.Forbidden(ErrorCodes.NoPermission, "only the Platform API may send as another user");
        senderId = asPlatform ? senderId ?? throw ApiException.BadRequest("user_id is required") : caller.UserId!;
        var ct = cancellationToken;
        Meta.CheckCount(meta, app.MaxMetaKeys);
        // The app's backend is trusted: only what users send goes through the profanity filter.
        string? originContent = null;
        if (content is not null && !asPlatform) (content, originContent) = profanity.Apply(app, content);
        string? fileKey = null;
        long fileSize = 0;
        if (file is not null)
        {
            // Permission is checked before the bytes are stored, and again inside the transaction.
            await store.ReadAsync(async db => { await CheckCanSendAsync(db, app, channelId, senderId, asPlatform, ct); return true; }, ct);
            fileKey = $"{app.AppId}/{channelId}/{Guid.CreateVersion7():N}";
            fileSize = await files.SaveAsync(fileKey, file.Content, app.MaxFileSize, ct);
            if (fileSize < 0) throw ApiException.Invalid(ErrorCodes.FileSizeExceeded,
                $"file: larger than this app's limit of {app.MaxFileSize} bytes");
        }
        try
        {
            var row = new MessageRow
            {
                AppId = app.AppId, ChannelId = channelId, UserId = senderId,
                Type = file is null ? "text" : "file", Content = content, FilterOriginContent = originContent,
                FileKey = fileKey, FileName = file?.Name, FileType = file?.ContentType, FileSize = file is null ? null : fileSize,
                Meta = meta is null ? null : Meta.Write(meta),
            };
            // Group commit (StoreWriter): the checks, the message and the channel's counters in the writer's batch. The
            // statements other features add to a send belong in this lambda too: checks that can refuse go before the
            // first write (beforeInsert, after the sender's own checks; refusesBeforeWriting: no savepoint needed), work
            // after the insert must not refuse (or the send must drop that flag, so that a refusal rolls back this send
            // only). The events are raised in the write (their webhook deliveries are stored in its transaction) and
            // published from the writer in commit order, so message events leave in message_id order; the answer follows
            // the commit (and the events' hand-over).
            var (dto, raised) = await writer.WriteAsync(async scope =>
            {
                row.CreatedAt = row.UpdatedAt = time.NowMs();
                row.ParentMessageId = null;
                row.MentionedUserIds = null;
                var stored = await SendStatements.SendAsync(scope, row, asPlatform, extras is null ? null
                    : () => MessageExtras.BeforeInsertAsync(scope.Db, app.AppId, channelId, extras, row, ct), ct);
                // A reply: its parent's reply_count and last_reply_at, in the same transaction.
                var parent = extras is null ? null : await MessageExtras.AfterInsertAsync(scope.Db, mapper, row, ct);
                var message = mapper.ToDto(stored.Message, stored.Sender);
                // Push: one outbox row in this transaction when the app has a push provider (else nothing).
                await push.AddAsync(scope, app.AppId, stored.Channel, message, row.MessageId, senderId, row.CreatedAt, ct);
                // The stamp (PostgreSQL: the database's clock under the channel's row lock) orders webhook deliveries across
                // nodes; on SQLite the writer's stage stamps them.
                var stamp = stored.OrderStamp;
                var send = MessageEvent(app.AppId, stored.Channel, EventCategories.MessageSend, message, stored.PreviousMessageId, stamp);
                // A reply: the reply first, then its parent's new reply_count (PROTOCOL §10).
                IReadOnlyList<ChatEvent> raised = parent is null ? [send]
                    : [send, MessageEvent(app.AppId, stored.Channel, EventCategories.MessageUpdate, parent, stamp: stamp + 1)];
                return (message, raised);
            }, afterCommit: sent => events.PublishAsync(sent.raised), ct, refusesBeforeWriting: true, pipelined: extras is null,
                events: sent => sent.raised);
            Operations.ChatMetrics.MessageSent(started);
            return dto;
        }
        catch when (fileKey is not null)
        {
            await files.DeleteAsync(fileKey, CancellationToken.None);
            throw;
        }
    }

    /// <summary>One message of a history import.</summary>
    public sealed record ImportedMessage(string UserId, string Content, long? CreatedAt, Dictionary<string, string>? Meta);

    /// <summary>
    /// Imports history (migrating from another chat system): the messages are stored in one
    /// transaction, in the given order, with their original times, and raise no events. Senders must
    /// exist; they need not be members. Returns the ids given to the first and last message.
    /// </summary>
    public async Task<(long First, long Last)> ImportAsync(ChatCaller caller, string channelId, IReadOnlyList<ImportedMessage> messages,
        CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        var app = caller.App;
        var ct = cancellationToken;
        foreach (var m in messages) Meta.CheckCount(m.Meta, app.MaxMetaKeys);
        return await store.WriteAsync(async db =>
        {
            var now = time.NowMs();
            var updated = await db.Channels
                .Where(x => x.AppId == app.AppId && x.ChannelId == channelId && x.Type == ChannelService.GroupType)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.TotalMessageCount, x => x.TotalMessageCount + messages.Count)
                    .SetProperty(x => x.UpdatedAt, now), ct);
            if (updated == 0) throw ApiException.NotFound(ErrorCodes.ChannelNotFound, $"channel '{channelId}' not found");
            var senders = messages.Select(m => m.UserId).Distinct().ToList();
            var known = await db.Users.Where(u => u.AppId == app.AppId && senders.Contains(u.UserId)).Select(u => u.UserId).ToListAsync(ct);
            var missing = senders.FirstOrDefault(u => !known.Contains(u));
            if (missing is not null) throw ApiException.NotFound(ErrorCodes.UserNotFound, $"user '{missing}' not found");
            var rows = messages.Select(m => new MessageRow
            {
                AppId = app.AppId, ChannelId = channelId, UserId = m.UserId, Type = "text", Content = m.Content,
                Meta = m.Meta is null ? null : Meta.Write(m.Meta), CreatedAt = m.CreatedAt ?? now, UpdatedAt = m.CreatedAt ?? now,
            }).ToList();
            db.Messages.AddRange(rows);
            await db.SaveChangesAsync(ct);
            var last = rows.Max(r => r.MessageId);
            await db.Channels.Where(x => x.AppId == app.AppId && x.ChannelId == channelId && x.LastMessageId < last)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastMessageId, last), ct);
            return (rows.Min(r => r.MessageId), last);
        }, ct);
    }

    /// <summary>
    /// The channel, the sender and (for SDK senders) the sender's membership, read in one query: the
    /// send path's only read. Refuses 1003, 1004, 1008 and 1009 (frozen, not a manager).
    /// </summary>
    private static async Task<(ChannelRow, UserRow)> CheckCanSendAsync(
        ChatDbContext db, AppRow app, string channelId, string senderId, bool asPlatform, CancellationToken ct)
    {
        // Left joins on the channel's key (not subqueries), which every provider translates.
        var found = await (
                from c in db.Channels.AsNoTracking()
                    .Where(c => c.AppId == app.AppId && c.ChannelId == channelId && c.Type == ChannelService.GroupType)
                join u in db.Users.AsNoTracking().Where(u => u.AppId == app.AppId && u.UserId == senderId)
                    on c.AppId equals u.AppId into senders
                from u in senders.DefaultIfEmpty()
                join m in db.Members.AsNoTracking().Where(m => m.AppId == app.AppId && m.ChannelId == channelId && m.UserId == senderId)
                    on c.AppId equals m.AppId into members
                from m in members.DefaultIfEmpty()
                select new { Channel = c, Sender = u, Member = m })
            .FirstOrDefaultAsync(ct)
            ?? throw ApiException.NotFound(ErrorCodes.ChannelNotFound, $"channel '{channelId}' not found");
        var sender = found.Sender ?? throw ApiException.NotFound(ErrorCodes.UserNotFound, $"user '{senderId}' not found");
        if (!asPlatform)
        {
            var m = found.Member ?? throw ApiException.Forbidden(ErrorCodes.NotJoined,
                $"user '{senderId}' is not a member of channel '{channelId}'");
            if (found.Channel.Freeze && !m.IsManager) throw ApiException.Forbidden(ErrorCodes.ChannelFrozen,
                $"channel '{channelId}' is frozen");
        }
        return (found.Channel, sender);
    }

    /// <summary>
    /// History (PROTOCOL §5.3): ascending by id; <c>prev</c> = the newest before the base, <c>next</c> = the oldest after it.
    /// </summary>
    public async Task<MessagePage> ListAsync(ChatCaller caller, string channelId, MessageQuery query,
        CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        var ct = cancellationToken;
        // The content filter finds every message stored before this call (SQLite indexes new messages in batches).
        if (query.ContentTerms is not null) await index.CatchUpAsync(ct);
        return await store.ReadAsync(async db =>
        {
            await db.RequireChannelAsync(appId, channelId, ct);
            await db.RequireMemberAsync(caller, channelId, ct);
            var q = db.Messages.Where(m => m.AppId == appId && m.ChannelId == channelId);
            if (query.Type is not null) q = q.Where(m => m.Type == query.Type);
            if (query.ContentTerms is { } terms)
            {
                // The content filter reads the full-text index (words, see SearchTerms), not a scan of the channel: the
                // page's ids in one index query, then those rows by primary key.
                var ids = await db.MatchingIdsAsync(new MessageSearchFilter
                {
                    AppId = appId, Terms = terms, ChannelId = channelId, Type = query.Type, Ascending = query.Next,
                    AfterId = query.Next ? query.BaseMessageId ?? 0 : null, BeforeId = query.Next ? null : query.BaseMessageId,
                    Limit = query.Limit,
                }, ct);
                return MessagePager.Ascending(await mapper.LoadAsync(db, appId, MessageSearch.ById(db, ids), ct));
            }
            return await MessagePager.LoadAsync(db, mapper, appId, q, query, ct);
        }, ct);
    }

    /// <summary>Deletes a message: its sender or a manager (or the Platform API). Counters and last message follow.</summary>
    public async Task DeleteAsync(ChatCaller caller, string channelId, long messageId, CancellationToken cancellationToken = default)
    {
        var app = caller.App;
        var ct = cancellationToken;
        var (_, _, fileKey, _) = await store.WriteAsync(async db =>
        {
            var c = await db.RequireChannelAsync(app.AppId, channelId, ct);
            var member = await db.RequireMemberAsync(caller, channelId, ct);
            var m = await MessageExtras.RequireMessageAsync(db, app.AppId, channelId, messageId, ct);
            if (!caller.IsPlatform && m.UserId != caller.UserId && member is not { IsManager: true })
                throw ApiException.Forbidden(ErrorCodes.NoPermission, $"only the sender or a manager may delete message {messageId}");
            var sender = await db.Users.FirstOrDefaultAsync(u => u.AppId == app.AppId && u.UserId == m.UserId, ct);
            var dto = mapper.ToDto(m, sender);
            db.Messages.Remove(m);
            var parent = await MessageExtras.OnDeleteAsync(db, mapper, m, ct);
            c.TotalMessageCount = Math.Max(0, c.TotalMessageCount - 1);
            if (m.FileKey is not null) c.TotalFileCount = Math.Max(0, c.TotalFileCount - 1);
            if (c.LastMessageId == messageId)
                c.LastMessageId = await db.Messages.Where(x => x.AppId == app.AppId && x.ChannelId == channelId && x.MessageId != messageId)
                    .MaxAsync(x => (long?)x.MessageId, ct) ?? 0;
            c.UpdatedAt = time.NowMs();
            return (c, dto, m.FileKey, parent);
        }, deleted => deleted.parent is null
            ? [MessageEvent(app.AppId, deleted.c, EventCategories.MessageDelete, deleted.dto)]
            : [MessageEvent(app.AppId, deleted.c, EventCategories.MessageDelete, deleted.dto),
                MessageEvent(app.AppId, deleted.c, EventCategories.MessageUpdate, deleted.parent)], events, ct);
        if (fileKey is not null) await files.DeleteAsync(fileKey, ct);
    }

    public Task<MessageDto> UpdateMetaAsync(ChatCaller caller, string channelId, long messageId, Dictionary<string, string> changes,
        CancellationToken cancellationToken = default) =>
        ChangeMetaAsync(caller, channelId, messageId, m => Meta.Merge(m, changes, caller.App.MaxMetaKeys), cancellationToken);

    public Task<MessageDto> DeleteMetaAsync(ChatCaller caller, string channelId, long messageId, IReadOnlyList<string> keys,
        CancellationToken cancellationToken = default) =>
        ChangeMetaAsync(caller, channelId, messageId, m => Meta.Remove(m, keys), cancellationToken);

    private async Task<MessageDto> ChangeMetaAsync(ChatCaller caller, string channelId, long messageId, Func<string?, string?> change,
        CancellationToken ct)
    {
        var app = caller.App;
        var (_, dto) = await store.WriteAsync(async db =>
        {
            var c = await db.RequireChannelAsync(app.AppId, channelId, ct);
            await db.RequireMemberAsync(caller, channelId, ct);
            var m = await MessageExtras.RequireMessageAsync(db, app.AppId, channelId, messageId, ct);
            m.Meta = change(m.Meta);
            m.UpdatedAt = time.NowMs();
            var sender = await db.Users.FirstOrDefaultAsync(u => u.AppId == app.AppId && u.UserId == m.UserId, ct);
            return (c, mapper.ToDto(m, sender));
        }, changed => [MessageEvent(app.AppId, changed.c, EventCategories.MessageUpdate, changed.Item2)], events, ct);
        return dto;
    }
}
