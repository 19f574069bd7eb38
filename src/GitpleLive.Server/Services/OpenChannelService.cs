using System.Buffers.Text;
using System.Text;

namespace GitpleLive.Server.Services;

/// <summary>
/// Open channels (PROTOCOL §10): public channels for large audiences, without membership rows. A channel is a
/// <see cref="ChannelRow"/> of type <c>open</c> (so ids are unique across both kinds and the messages table is shared);
/// its managers are <see cref="OpenManagerRow"/>s, its bans <see cref="BanRow"/>s; who is in it is the
/// <see cref="IOpenParticipants"/> seam's, never the database's. Rules: managers (or the Platform API) change, delete,
/// freeze, ban and appoint; a banned user cannot enter; sending needs being a participant (not frozen unless a manager;
/// the Platform API sends as anyone). Events go to <c>P/channel/open/{id}/all/</c> under the JS SDK's <c>open:*</c> names.
/// </summary>
public sealed class OpenChannelService(
    ChatStore store, IEventPublisher events, IOpenParticipants participants, IPresence presence, MessageMapper mapper,
    IFileStore files, StoreWriter writer, ProfanityFilter profanity, TimeProvider time) : IChannelAdmin, IChannelManagers, IChannelBans
{
    public const string OpenType = "open";

    public static ChannelDto ToDto(ChannelRow c, long? participantCount = null) =>
        ChannelService.ToDto(c) with { ParticipantCount = participantCount };

    private static ChatEvent ChannelEvent(string appId, ChannelRow channel, string category, object? user = null, object? message = null,
        object? data = null, IReadOnlyList<SubscriptionCut>? cuts = null, MessageOrder? order = null) => new()
    {
        AppId = appId,
        TopicKind = EventTopicKind.ChannelAll,
        TargetId = channel.ChannelId,
        ChannelType = OpenType,
        Payload = new EventPayload(category, Channel: ChannelService.ToDto(channel), User: user, Message: message, Data: data),
        CutsAfter = cuts ?? [],
        Order = order,
    };

    private static SubscriptionCut CutOf(string userId, string channelId) => new(userId, OpenType, channelId, ManagerOnly: false);

    // ---- lookups ------------------------------------------------------------------------------

    private static async Task<ChannelRow> RequireOpenAsync(ChatDbContext db, string appId, string channelId, CancellationToken ct) =>
        await db.Channels.FirstOrDefaultAsync(c => c.AppId == appId && c.ChannelId == channelId && c.Type == OpenType, ct)
        ?? throw ApiException.NotFound(ErrorCodes.ChannelNotFound, $"open channel '{channelId}' not found");

    private static Task<bool> IsManagerAsync(ChatDbContext db, string appId, string channelId, string userId, CancellationToken ct) =>
        db.OpenManagers.AnyAsync(m => m.AppId == appId && m.ChannelId == channelId && m.UserId == userId, ct);

    /// <summary>3001 unless the caller manages the channel (the Platform API always passes).</summary>
    private static async Task RequireManagerAsync(ChatDbContext db, ChatCaller caller, string channelId, CancellationToken ct)
    {
        if (caller.IsPlatform) return;
        if (!await IsManagerAsync(db, caller.AppId, channelId, caller.UserId!, ct))
            throw ApiException.Forbidden(ErrorCodes.NoPermission, $"user '{caller.UserId}' is not a manager of open channel '{channelId}'");
    }

    /// <summary>1008 unless the SDK caller is in the channel now or manages it (the Platform API always passes).</summary>
    private async Task RequireParticipantOrManagerAsync(ChatDbContext db, ChatCaller caller, string channelId, CancellationToken ct)
    {
        if (caller.IsPlatform) return;
        if (await participants.IsParticipantAsync(caller.AppId, channelId, caller.UserId!, ct)) return;
        if (await IsManagerAsync(db, caller.AppId, channelId, caller.UserId!, ct)) return;
        throw NotParticipant(caller.UserId!, channelId);
    }

    private static ApiException NotParticipant(string userId, string channelId) =>
        ApiException.Forbidden(ErrorCodes.NotJoined,
            $"user '{userId}' is not a participant of open channel '{channelId}' (enter it first)");

    /// <summary>The user a call acts for: the SDK caller, or for the Platform API the <c>user_id</c> it names.</summary>
    private static string ActingUser(ChatCaller caller, string? userId)
    {
        if (caller.IsPlatform) return userId ?? throw ApiException.BadRequest("user_id is required");
        if (userId is not null && userId != caller.UserId)
            throw ApiException.Forbidden(ErrorCodes.NoPermission, "only the Platform API may act as another user");
        return caller.UserId!;
    }

    // ---- reads --------------------------------------------------------------------------------

    public async Task<ChannelDto> GetAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default)
    {
        var c = await store.ReadAsync(db => RequireOpenAsync(db, caller.AppId, channelId, cancellationToken), cancellationToken);
        var counts = await participants.CountsAsync(caller.AppId, [channelId], cancellationToken);
        return ToDto(c, counts[channelId]);
    }

    /// <summary>A page of the app's open channels, newest first, with their participant counts; <c>name</c> contains.</summary>
    public async Task<OpenChannelPage> ListAsync(ChatCaller caller, int limit, string? name, string? next,
        CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        var after = Cursor.Decode(next);
        var rows = await store.ReadAsync(async db =>
        {
            var q = db.Channels.Where(c => c.AppId == appId && c.Type == OpenType);
            if (!string.IsNullOrEmpty(name))
            {
                var lower = name.ToLowerInvariant();
                q = q.Where(c => c.Name.ToLower().Contains(lower));
            }
            if (after is { } a)
                q = q.Where(c => c.CreatedAt < a.Time || (c.CreatedAt == a.Time && string.Compare(c.ChannelId, a.Id) > 0));
            return await q.OrderByDescending(c => c.CreatedAt).ThenBy(c => c.ChannelId).Take(limit + 1).ToListAsync(cancellationToken);
        }, cancellationToken);
        var more = rows.Count > limit;
        if (more) rows.RemoveAt(rows.Count - 1);
        var counts = await participants.CountsAsync(appId, rows.Select(r => r.ChannelId).ToList(), cancellationToken);
        return new OpenChannelPage(rows.Select(r => ToDto(r, counts[r.ChannelId])).ToList(),
            more ? Cursor.Encode(rows[^1].CreatedAt, rows[^1].ChannelId) : null);
    }

    /// <summary>Who is in the channel now, in user id order; for its participants and managers (and the Platform API).</summary>
    public async Task<ParticipantPage> ParticipantsAsync(ChatCaller caller, string channelId, int limit, string? next,
        CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        var after = DecodeUserCursor(next);
        await store.ReadAsync(async db =>
        {
            await RequireOpenAsync(db, appId, channelId, cancellationToken);
            await RequireParticipantOrManagerAsync(db, caller, channelId, cancellationToken);
            return true;
        }, cancellationToken);
        var (ids, more) = await participants.PageAsync(appId, channelId, after, limit, cancellationToken);
        var users = await store.ReadAsync(db => db.Users.Where(u => u.AppId == appId && ids.Contains(u.UserId))
            .ToDictionaryAsync(u => u.UserId, StringComparer.Ordinal, cancellationToken), cancellationToken);
        var list = ids.Where(users.ContainsKey).Select(id => UserService.ToDto(users[id])).ToList();
        // The cursor is the last id the seam gave (even one filtered out here), so the next page starts after it.
        var last = ids.Count > 0 ? ids[^1] : after;
        return new ParticipantPage(list, more && last is not null ? Base64Url.EncodeToString(Encoding.UTF8.GetBytes(last)) : null);
    }

    private static string? DecodeUserCursor(string? next)
    {
        if (string.IsNullOrEmpty(next)) return null;
        try
        {
            var id = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(next));
            if (Ids.IsValid(id)) return id;
        }
        catch (FormatException)
        {
        }
        throw ApiException.BadRequest("next is not a valid cursor");
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    public sealed record CreateRequest(string ChannelId, string Name, string? ProfileUrl, Dictionary<string, string>? Meta,
        IReadOnlyList<string>? Managers);

    /// <summary>
    /// Creates an open channel. An SDK caller becomes its manager; the Platform API names the managers (maybe none).
    /// The id is shared with group channels: an existing channel of either kind answers 1007. No event: nobody hears it yet.
    /// </summary>
    public async Task<ChannelDto> CreateAsync(ChatCaller caller, CreateRequest request, CancellationToken cancellationToken = default)
    {
        var app = caller.App;
        Meta.CheckCount(request.Meta, app.MaxMetaKeys);
        var managerIds = caller.IsPlatform ? (request.Managers ?? []).Distinct().ToList() : [caller.UserId!];
        if (managerIds.Count > app.MaxManagersPerChannel)
            throw ApiException.Invalid(ErrorCodes.ManagerLimitExceeded,
                $"managers: {managerIds.Count} exceeds this app's limit of {app.MaxManagersPerChannel} per channel");
        var channel = await store.WriteAsync(async db =>
        {
            var existing = await db.Channels.AnyAsync(c => c.AppId == app.AppId && c.ChannelId == request.ChannelId, cancellationToken);
            if (existing) throw ApiException.Invalid(ErrorCodes.DuplicateId, $"a channel '{request.ChannelId}' already exists");
            var found = await db.Users.Where(u => u.AppId == app.AppId && managerIds.Contains(u.UserId)).Select(u => u.UserId)
                .ToListAsync(cancellationToken);
            var missing = managerIds.FirstOrDefault(id => !found.Contains(id));
            if (missing is not null) throw ApiException.NotFound(ErrorCodes.UserNotFound, $"user '{missing}' not found");
            var now = time.NowMs();
            var c = new ChannelRow
            {
                AppId = app.AppId, ChannelId = request.ChannelId, Type = OpenType, Name = request.Name, ProfileUrl = request.ProfileUrl,
                Meta = request.Meta is null ? null : Meta.Write(request.Meta), CreatedAt = now, UpdatedAt = now,
            };
            db.Channels.Add(c);
            foreach (var id in managerIds)
                db.OpenManagers.Add(new OpenManagerRow { AppId = app.AppId, ChannelId = c.ChannelId, UserId = id, CreatedAt = now });
            return c;
        }, cancellationToken);
        return ToDto(channel, 0);
    }

    /// <summary>Changes name and picture (and meta for the Platform API); manager; raises <c>open:channel_update</c>.</summary>
    public Task<ChannelDto> UpdateAsync(ChatCaller caller, string channelId, string? name, string? profileUrl,
        Dictionary<string, string>? meta = null, CancellationToken cancellationToken = default)
    {
        if (meta is not null) caller.RequirePlatform();
        return ChangeAsync(caller, channelId, c =>
        {
            if (name is not null) c.Name = name;
            if (profileUrl is not null) c.ProfileUrl = profileUrl.Length == 0 ? null : profileUrl;
            if (meta is not null) c.Meta = Meta.Merge(c.Meta, meta, caller.App.MaxMetaKeys);
            return EventCategories.OpenChannelUpdate;
        }, cancellationToken);
    }

    /// <summary>Freezes (only managers and the Platform API may send) or unfreezes; manager.</summary>
    public Task<ChannelDto> FreezeAsync(ChatCaller caller, string channelId, bool freeze, CancellationToken cancellationToken = default) =>
        ChangeAsync(caller, channelId, c =>
        {
            c.Freeze = freeze;
            return freeze ? EventCategories.OpenChannelFreeze : EventCategories.OpenChannelUnfreeze;
        }, cancellationToken);

    private async Task<ChannelDto> ChangeAsync(ChatCaller caller, string channelId, Func<ChannelRow, string> change, CancellationToken ct)
    {
        var (channel, _) = await store.WriteAsync(async db =>
        {
            var c = await RequireOpenAsync(db, caller.AppId, channelId, ct);
            await RequireManagerAsync(db, caller, channelId, ct);
            var category = change(c);
            c.UpdatedAt = time.NowMs();
            return (c, category);
        }, changed => [ChannelEvent(caller.AppId, changed.c, changed.category)], events, ct);
        var counts = await participants.CountsAsync(caller.AppId, [channelId], ct);
        return ToDto(channel, counts[channelId]);
    }

    /// <summary>
    /// Deletes the channel with its messages, files, managers and bans; <c>open:channel_delete</c> reaches every
    /// participant, then every subscription to the channel is cut and its participants are forgotten.
    /// </summary>
    public async Task DeleteAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        var ct = cancellationToken;
        var (_, fileKeys) = await store.WriteAsync(async db =>
        {
            var c = await RequireOpenAsync(db, appId, channelId, ct);
            await RequireManagerAsync(db, caller, channelId, ct);
            var keys = await db.Messages.Where(m => m.AppId == appId && m.ChannelId == channelId && m.FileKey != null)
                .Select(m => m.FileKey!).ToListAsync(ct);
            await db.Messages.Where(m => m.AppId == appId && m.ChannelId == channelId).ExecuteDeleteAsync(ct);
            await db.OpenManagers.Where(m => m.AppId == appId && m.ChannelId == channelId).ExecuteDeleteAsync(ct);
            await db.Bans.Where(m => m.AppId == appId && m.ChannelId == channelId).ExecuteDeleteAsync(ct);
            db.Channels.Remove(c);
            return (c, keys);
        }, deleted => [ChannelEvent(appId, deleted.c, EventCategories.OpenChannelDelete,
            cuts: [CutOf(SubscriptionCut.Everyone, channelId)])], events, ct);
        foreach (var key in fileKeys) await files.DeleteAsync(key, ct);
        await participants.RemoveChannelAsync(appId, channelId, ct);
    }

    // ---- enter, exit --------------------------------------------------------------------------

    /// <summary>
    /// The user enters the channel: they must be connected (a participant is someone connected), not banned (1019), and the
    /// channel not full (1010, the app's <see cref="AppRow.MaxParticipantsPerOpenChannel"/>). Entering again is fine.
    /// No event (an audience of thousands does not hear each arrival); the client subscribes to the channel topic next.
    /// </summary>
    public async Task<ChannelDto> EnterAsync(ChatCaller caller, string channelId, string? userId = null,
        CancellationToken cancellationToken = default)
    {
        var app = caller.App;
        var user = ActingUser(caller, userId);
        var ct = cancellationToken;
        var channel = await store.ReadAsync(async db =>
        {
            var c = await RequireOpenAsync(db, app.AppId, channelId, ct);
            await db.RequireUserAsync(app.AppId, user, ct);
            await RequireNotBannedAsync(db, app.AppId, channelId, user, ct);
            return c;
        }, ct);
        await RequireConnectedAsync(app.AppId, user, ct);
        var count = await participants.EnterAsync(app.AppId, channelId, user, app.MaxParticipantsPerOpenChannel, ct);
        if (count < 0)
            throw ApiException.Invalid(ErrorCodes.MemberLimitExceeded,
                $"open channel '{channelId}' is full ({app.MaxParticipantsPerOpenChannel} participants)");
        try
        {
            // A disconnect or a ban that landed while entering wins: look again now that the user is in.
            await RequireConnectedAsync(app.AppId, user, ct);
            await store.ReadAsync(async db => { await RequireNotBannedAsync(db, app.AppId, channelId, user, ct); return true; }, ct);
        }
        catch
        {
            await participants.ExitAsync(app.AppId, channelId, user, CancellationToken.None);
            throw;
        }
        return ToDto(channel, count);
    }

    private async Task RequireConnectedAsync(string appId, string userId, CancellationToken ct)
    {
        if ((await presence.OnlineAsync(appId, [userId], ct)).Count == 0)
            throw ApiException.Forbidden(ErrorCodes.NotJoined,
                $"user '{userId}' has no realtime connection: connect before entering an open channel");
    }

    private async Task RequireNotBannedAsync(ChatDbContext db, string appId, string channelId, string userId, CancellationToken ct)
    {
        var now = time.NowMs();
        if (await db.Bans.AnyAsync(b => b.AppId == appId && b.ChannelId == channelId && b.UserId == userId && b.EndAt > now, ct))
            throw ApiException.Forbidden(ErrorCodes.BannedUserCannotJoin, $"user '{userId}' is banned from open channel '{channelId}'");
    }

    /// <summary>
    /// The user leaves the channel (1008 when not in it): <c>open:channel_exit</c> on their own topic, then their
    /// subscription to the channel is cut on every node.
    /// </summary>
    public async Task ExitAsync(ChatCaller caller, string channelId, string? userId = null, CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        var user = ActingUser(caller, userId);
        var ct = cancellationToken;
        var (channel, userRow) = await store.ReadAsync(async db =>
            (await RequireOpenAsync(db, appId, channelId, ct), await db.RequireUserAsync(appId, user, ct)), ct);
        if (!await participants.ExitAsync(appId, channelId, user, ct)) throw NotParticipant(user, channelId);
        await events.PublishAsync([new ChatEvent
        {
            AppId = appId,
            TopicKind = EventTopicKind.User,
            TargetId = user,
            Payload = new EventPayload(EventCategories.OpenChannelExit, Channel: ChannelService.ToDto(channel),
                User: UserService.ToDto(userRow)),
            CutsAfter = [CutOf(user, channelId)],
        }], ct);
    }

    // ---- managers -----------------------------------------------------------------------------

    /// <summary>The channel's managers; for its managers (and the Platform API).</summary>
    public Task<List<UserDto>> ManagersAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        return store.ReadAsync(async db =>
        {
            await RequireOpenAsync(db, appId, channelId, cancellationToken);
            await RequireManagerAsync(db, caller, channelId, cancellationToken);
            var rows = await (from m in db.OpenManagers
                              join u in db.Users on new { m.AppId, m.UserId } equals new { u.AppId, u.UserId }
                              where m.AppId == appId && m.ChannelId == channelId
                              orderby m.CreatedAt, m.UserId
                              select u).ToListAsync(cancellationToken);
            return rows.Select(u => UserService.ToDto(u)).ToList();
        }, cancellationToken);
    }

    /// <summary>
    /// Makes a user a manager (they need not be in the channel); manager; 1011 over the app's manager limit; already one:
    /// nothing changes. Raises <c>open:channel_manager_create</c>.
    /// </summary>
    public async Task AddManagerAsync(ChatCaller caller, string channelId, string userId, CancellationToken cancellationToken = default)
    {
        var app = caller.App;
        var ct = cancellationToken;
        await store.WriteAsync(async db =>
        {
            var c = await RequireOpenAsync(db, app.AppId, channelId, ct);
            await RequireManagerAsync(db, caller, channelId, ct);
            var u = await db.RequireUserAsync(app.AppId, userId, ct);
            if (await IsManagerAsync(db, app.AppId, channelId, userId, ct)) return (c, (UserRow?)null);
            var count = await db.OpenManagers.CountAsync(m => m.AppId == app.AppId && m.ChannelId == channelId, ct);
            if (count >= app.MaxManagersPerChannel)
                throw ApiException.Invalid(ErrorCodes.ManagerLimitExceeded,
                    $"open channel '{channelId}' has {count} managers, this app's limit");
            db.OpenManagers.Add(new OpenManagerRow { AppId = app.AppId, ChannelId = channelId, UserId = userId, CreatedAt = time.NowMs() });
            return (c, u);
        }, added => added.Item2 is { } user
            ? [ChannelEvent(app.AppId, added.c, EventCategories.OpenChannelManagerCreate, user: UserService.ToDto(user))]
            : [], events, ct);
    }

    /// <summary>Removes a manager (1016 when not one); manager; raises <c>open:channel_manager_delete</c>.</summary>
    public async Task RemoveManagerAsync(ChatCaller caller, string channelId, string userId, CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        var ct = cancellationToken;
        await store.WriteAsync(async db =>
        {
            var c = await RequireOpenAsync(db, appId, channelId, ct);
            await RequireManagerAsync(db, caller, channelId, ct);
            var u = await db.RequireUserAsync(appId, userId, ct);
            var row = await db.OpenManagers.FirstOrDefaultAsync(m => m.AppId == appId && m.ChannelId == channelId && m.UserId == userId, ct)
                ?? throw ApiException.Invalid(ErrorCodes.NotManager,
                    $"user '{userId}' is not a manager of open channel '{channelId}'");
            db.OpenManagers.Remove(row);
            return (c, u);
        }, removed => [ChannelEvent(appId, removed.c, EventCategories.OpenChannelManagerDelete, user: UserService.ToDto(removed.u))],
            events, ct);
    }

    // ---- bans ---------------------------------------------------------------------------------

    /// <summary>
    /// Bans a user for <paramref name="seconds"/> (null: permanently); manager; self 1018, a manager 1017 (the Platform API
    /// may). They hear <c>open:channel_ban</c>, leave the channel and lose its topic, and cannot enter until the ban ends.
    /// </summary>
    public async Task<BanDto> BanAsync(ChatCaller caller, string channelId, string userId, long? seconds, string? reason,
        CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        var ct = cancellationToken;
        if (caller.UserId == userId) throw ApiException.Invalid(ErrorCodes.CannotBanYourself, "user_id: you cannot ban yourself");
        var (_, ban) = await store.WriteAsync(async db =>
        {
            var c = await RequireOpenAsync(db, appId, channelId, ct);
            await RequireManagerAsync(db, caller, channelId, ct);
            var user = await db.RequireUserAsync(appId, userId, ct);
            if (!caller.IsPlatform && await IsManagerAsync(db, appId, channelId, userId, ct))
                throw ApiException.Forbidden(ErrorCodes.ManagersCannotBanEachOther,
                    $"user '{userId}' is a manager; managers cannot ban each other");
            var now = time.NowMs();
            var row = await db.Bans.FirstOrDefaultAsync(b => b.AppId == appId && b.ChannelId == channelId && b.UserId == userId, ct);
            if (row is null)
            {
                row = new BanRow { AppId = appId, ChannelId = channelId, UserId = userId };
                db.Bans.Add(row);
            }
            row.StartAt = now;
            row.EndAt = seconds is { } s ? now + s * 1000 : BanService.PermanentEndAt;
            row.Reason = reason;
            c.UpdatedAt = now;
            return (c, BanService.ToDto(row, user));
        }, banned => [ChannelEvent(appId, banned.c, EventCategories.OpenChannelBan, user: banned.Item2.User, data: banned.Item2,
            cuts: [CutOf(userId, channelId)])], async raised =>
        {
            // Out of the channel before the event's cut, so the ACL refuses a subscription coming back meanwhile.
            await participants.ExitAsync(appId, channelId, userId, CancellationToken.None);
            await events.PublishAsync(raised);
        }, ct);
        return ban;
    }

    /// <summary>Lifts a ban (1002 when there is none); manager; raises <c>open:channel_unban</c>.</summary>
    public async Task UnbanAsync(ChatCaller caller, string channelId, string userId, CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        var ct = cancellationToken;
        await store.WriteAsync(async db =>
        {
            var c = await RequireOpenAsync(db, appId, channelId, ct);
            await RequireManagerAsync(db, caller, channelId, ct);
            var u = await db.RequireUserAsync(appId, userId, ct);
            var now = time.NowMs();
            var row = await db.Bans.FirstOrDefaultAsync(
                    b => b.AppId == appId && b.ChannelId == channelId && b.UserId == userId && b.EndAt > now, ct)
                ?? throw ApiException.NotFound(ErrorCodes.ResourceNotFound,
                    $"user '{userId}' is not banned from open channel '{channelId}'");
            db.Bans.Remove(row);
            return (c, UserService.ToDto(u));
        }, unbanned => [ChannelEvent(appId, unbanned.c, EventCategories.OpenChannelUnban, user: unbanned.Item2)], events, ct);
    }

    /// <summary>The active bans; manager.</summary>
    public Task<List<BanDto>> BannedAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        return store.ReadAsync(async db =>
        {
            await RequireOpenAsync(db, appId, channelId, cancellationToken);
            await RequireManagerAsync(db, caller, channelId, cancellationToken);
            var now = time.NowMs();
            var rows = await (from b in db.Bans
                              join u in db.Users on new { b.AppId, b.UserId } equals new { u.AppId, u.UserId }
                              where b.AppId == appId && b.ChannelId == channelId && b.EndAt > now
                              orderby b.StartAt
                              select new { b, u }).ToListAsync(cancellationToken);
            return rows.Select(x => BanService.ToDto(x.b, x.u)).ToList();
        }, cancellationToken);
    }

    // ---- messages -----------------------------------------------------------------------------

    /// <summary>
    /// Sends a text message as the SDK caller, who must be a participant (1008) and, in a frozen channel, a manager
    /// (1009); or for the Platform API as <paramref name="senderId"/>, any existing user, also into frozen channels.
    /// The profanity filter applies to users' words. The send is a write of the store's writer (group commit) and its
    /// event is published from the writer in commit order, so events leave in id order (across nodes: RelayOrder).
    /// </summary>
    public async Task<MessageDto> SendAsync(ChatCaller caller, string channelId, string? senderId, string content,
        Dictionary<string, string>? meta, CancellationToken cancellationToken = default)
    {
        var started = Operations.ChatMetrics.Start();
        var app = caller.App;
        var asPlatform = caller.IsPlatform;
        var sender = ActingUser(caller, senderId);
        var ct = cancellationToken;
        Meta.CheckCount(meta, app.MaxMetaKeys);
        string? originContent = null;
        if (!asPlatform) (content, originContent) = profanity.Apply(app, content);
        if (!asPlatform && !await participants.IsParticipantAsync(app.AppId, channelId, sender, ct))
        {
            // Tell a missing channel from a missing participation.
            await store.ReadAsync(db => RequireOpenAsync(db, app.AppId, channelId, ct), ct);
            throw NotParticipant(sender, channelId);
        }
        var (dto, raised) = await writer.WriteAsync(async scope =>
        {
            var db = scope.Db;
            var now = time.NowMs();
            var updated = await db.Channels.Where(x => x.AppId == app.AppId && x.ChannelId == channelId && x.Type == OpenType)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.TotalMessageCount, x => x.TotalMessageCount + 1)
                    .SetProperty(x => x.UpdatedAt, now), ct);
            if (updated == 0) throw ApiException.NotFound(ErrorCodes.ChannelNotFound, $"open channel '{channelId}' not found");
            var found = await (
                    from c in db.Channels.AsNoTracking().Where(c => c.AppId == app.AppId && c.ChannelId == channelId)
                    join u in db.Users.AsNoTracking().Where(u => u.AppId == app.AppId && u.UserId == sender)
                        on c.AppId equals u.AppId into senders
                    from u in senders.DefaultIfEmpty()
                    join m in db.OpenManagers.AsNoTracking()
                            .Where(m => m.AppId == app.AppId && m.ChannelId == channelId && m.UserId == sender)
                        on c.AppId equals m.AppId into managers
                    from m in managers.DefaultIfEmpty()
                    select new { Channel = c, Sender = u, Manager = m })
                .FirstAsync(ct);
            var user = found.Sender ?? throw ApiException.NotFound(ErrorCodes.UserNotFound, $"user '{sender}' not found");
            if (!asPlatform && found.Channel.Freeze && found.Manager is null)
                throw ApiException.Forbidden(ErrorCodes.ChannelFrozen, $"open channel '{channelId}' is frozen");
            var row = new MessageRow
            {
                AppId = app.AppId, ChannelId = channelId, UserId = sender, Type = "text", Content = content,
                FilterOriginContent = originContent, Meta = meta is null ? null : Meta.Write(meta), CreatedAt = now, UpdatedAt = now,
            };
            db.Messages.Add(row);
            await db.SaveChangesAsync(ct);
            await db.Channels.Where(x => x.AppId == app.AppId && x.ChannelId == channelId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastMessageId, row.MessageId), ct);
            // The channel's last id before this send, read under its row lock (the counter update above): the chain
            // the nodes restore the order from.
            var previous = found.Channel.LastMessageId;
            found.Channel.LastMessageId = row.MessageId;
            var message = mapper.ToDto(row, user);
            // Raised by this write: its webhook delivery is stored in this transaction, stamped by the writer's stage after
            // the statements above, under the channel's row lock (on PostgreSQL with the database's clock, as group sends are).
            IReadOnlyList<ChatEvent> raised = [ChannelEvent(app.AppId, found.Channel, EventCategories.OpenMessageSend,
                message: message, order: new MessageOrder(row.MessageId, previous))];
            return (message, raised);
        }, afterCommit: sent => events.PublishAsync(sent.raised), ct, events: sent => sent.raised);
        Operations.ChatMetrics.MessageSent(started);
        return dto;
    }

    /// <summary>History as PROTOCOL §5.3 pages it; for participants and managers (and the Platform API).</summary>
    public Task<MessagePage> ListMessagesAsync(ChatCaller caller, string channelId, MessageQuery query,
        CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        var ct = cancellationToken;
        return store.ReadAsync(async db =>
        {
            await RequireOpenAsync(db, appId, channelId, ct);
            await RequireParticipantOrManagerAsync(db, caller, channelId, ct);
            var q = db.Messages.Where(m => m.AppId == appId && m.ChannelId == channelId);
            if (query.Type is not null) q = q.Where(m => m.Type == query.Type);
            if (!string.IsNullOrEmpty(query.Content)) q = q.Where(m => m.Content != null && m.Content.Contains(query.Content));
            return await MessagePager.LoadAsync(db, mapper, appId, q, query, ct);
        }, ct);
    }

    /// <summary>Deletes a message: its sender, a manager or the Platform API (else 3001); raises <c>open:message_delete</c>.</summary>
    public async Task DeleteMessageAsync(ChatCaller caller, string channelId, long messageId, CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        var ct = cancellationToken;
        await store.WriteAsync(async db =>
        {
            var c = await RequireOpenAsync(db, appId, channelId, ct);
            var m = await MessageExtras.RequireMessageAsync(db, appId, channelId, messageId, ct, "open channel");
            if (!caller.IsPlatform && m.UserId != caller.UserId && !await IsManagerAsync(db, appId, channelId, caller.UserId!, ct))
                throw ApiException.Forbidden(ErrorCodes.NoPermission, $"only the sender or a manager may delete message {messageId}");
            var sender = await db.Users.FirstOrDefaultAsync(u => u.AppId == appId && u.UserId == m.UserId, ct);
            var dto = mapper.ToDto(m, sender);
            db.Messages.Remove(m);
            c.TotalMessageCount = Math.Max(0, c.TotalMessageCount - 1);
            if (c.LastMessageId == messageId)
                c.LastMessageId = await db.Messages.Where(x => x.AppId == appId && x.ChannelId == channelId && x.MessageId != messageId)
                    .MaxAsync(x => (long?)x.MessageId, ct) ?? 0;
            c.UpdatedAt = time.NowMs();
            return (c, dto);
        }, deleted => [ChannelEvent(appId, deleted.c, EventCategories.OpenMessageDelete, message: deleted.dto)], events, ct);
    }

    /// <summary>Merges message meta keys; participants (and the Platform API); raises <c>open:message_update</c>.</summary>
    public Task<MessageDto> UpdateMessageMetaAsync(ChatCaller caller, string channelId, long messageId, Dictionary<string, string> changes,
        CancellationToken cancellationToken = default) =>
        ChangeMessageMetaAsync(caller, channelId, messageId, m => Meta.Merge(m, changes, caller.App.MaxMetaKeys), cancellationToken);

    /// <summary>Removes message meta keys; participants (and the Platform API); raises <c>open:message_update</c>.</summary>
    public Task<MessageDto> DeleteMessageMetaAsync(ChatCaller caller, string channelId, long messageId, IReadOnlyList<string> keys,
        CancellationToken cancellationToken = default) =>
        ChangeMessageMetaAsync(caller, channelId, messageId, m => Meta.Remove(m, keys), cancellationToken);

    private async Task<MessageDto> ChangeMessageMetaAsync(ChatCaller caller, string channelId, long messageId,
        Func<string?, string?> change, CancellationToken ct)
    {
        var appId = caller.AppId;
        var (_, dto) = await store.WriteAsync(async db =>
        {
            var c = await RequireOpenAsync(db, appId, channelId, ct);
            await RequireParticipantOrManagerAsync(db, caller, channelId, ct);
            var m = await MessageExtras.RequireMessageAsync(db, appId, channelId, messageId, ct, "open channel");
            m.Meta = change(m.Meta);
            m.UpdatedAt = time.NowMs();
            var sender = await db.Users.FirstOrDefaultAsync(u => u.AppId == appId && u.UserId == m.UserId, ct);
            return (c, mapper.ToDto(m, sender));
        }, changed => [ChannelEvent(appId, changed.c, EventCategories.OpenMessageUpdate, message: changed.Item2)], events, ct);
        return dto;
    }
}
