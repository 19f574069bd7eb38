using GitpleLive.Server.Api;
using GitpleLive.Server.Events;
using GitpleLive.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace GitpleLive.Server.Services;

/// <summary>
/// Group channels: lifecycle, membership, managers, freeze, meta, receipts and bans. Owns the
/// permission rules of PROTOCOL §5.2 for the SDK and the Platform API alike, and publishes each
/// change's events after it is stored.
/// </summary>
public sealed class ChannelService(ChatStore store, IEventPublisher events, IPresence presence, MessageMapper messages, IFileStore files)
{
    public const string GroupType = "group";

    public static ChannelDto ToDto(ChannelRow c) => new()
    {
        ChannelId = c.ChannelId,
        Type = c.Type,
        Name = c.Name,
        Freeze = c.Freeze,
        ProfileUrl = c.ProfileUrl,
        Meta = Meta.ToWire(c.Meta),
        TotalMessageCount = c.TotalMessageCount,
        TotalFileCount = c.TotalFileCount,
        CreatedAt = c.CreatedAt,
        UpdatedAt = c.UpdatedAt,
    };

    // ---- lookups shared by the services -------------------------------------------------------

    internal static async Task<ChannelRow> RequireChannelAsync(ChatDbContext db, string appId, string channelId, CancellationToken ct) =>
        await db.Channels.FirstOrDefaultAsync(c => c.AppId == appId && c.ChannelId == channelId, ct)
        ?? throw ApiException.NotFound(ErrorCodes.ChannelNotFound, $"channel '{channelId}' not found");

    internal static async Task<MemberRow?> FindMemberAsync(ChatDbContext db, string appId, string channelId, string userId, CancellationToken ct) =>
        await db.Members.FirstOrDefaultAsync(m => m.AppId == appId && m.ChannelId == channelId && m.UserId == userId, ct);

    /// <summary>The actor's membership (1008 when not a member); null for the Platform API.</summary>
    internal static async Task<MemberRow?> RequireMemberAsync(ChatDbContext db, string appId, string channelId, Actor actor, CancellationToken ct)
    {
        if (actor.IsPlatform) return null;
        return await FindMemberAsync(db, appId, channelId, actor.UserId!, ct)
            ?? throw ApiException.Forbidden(ErrorCodes.NotJoined, $"user '{actor.UserId}' is not a member of channel '{channelId}'");
    }

    internal static async Task RequireManagerAsync(ChatDbContext db, string appId, string channelId, Actor actor, CancellationToken ct)
    {
        if (actor.IsPlatform) return;
        var m = await FindMemberAsync(db, appId, channelId, actor.UserId!, ct);
        if (m is not { IsManager: true })
            throw ApiException.Forbidden(ErrorCodes.NoPermission, $"user '{actor.UserId}' is not a manager of channel '{channelId}'");
    }

    internal static async Task<UserRow> RequireUserAsync(ChatDbContext db, string appId, string userId, CancellationToken ct) =>
        await db.Users.FirstOrDefaultAsync(u => u.AppId == appId && u.UserId == userId, ct)
        ?? throw ApiException.NotFound(ErrorCodes.UserNotFound, $"user '{userId}' not found");

    private static ChatEvent ChannelEvent(string appId, ChannelRow channel, string category, object? user = null, object? data = null, IReadOnlyList<SubscriptionCut>? cuts = null, object? channelPayload = null) => new()
    {
        AppId = appId,
        TopicKind = EventTopicKind.ChannelAll,
        TargetId = channel.ChannelId,
        ChannelType = channel.Type,
        Payload = new EventPayload(category, Channel: channelPayload ?? ToDto(channel), User: user, Data: data),
        CutsAfter = cuts ?? [],
    };

    private static ChatEvent UserEvent(string appId, string userId, string category, UserDto user, ChannelDto channel) => new()
    {
        AppId = appId,
        TopicKind = EventTopicKind.User,
        TargetId = userId,
        Payload = new EventPayload(category, Channel: channel, User: user),
    };

    // ---- reads --------------------------------------------------------------------------------

    public Task<ChannelDto> GetAsync(string appId, string channelId, Actor actor, CancellationToken ct = default) =>
        store.ReadAsync(async db =>
        {
            var c = await RequireChannelAsync(db, appId, channelId, ct);
            return ToDto(c);
        }, ct);

    /// <summary>
    /// A page of channels, newest first (by creation; cursor stable under concurrent writes).
    /// <paramref name="joinedBy"/> limits the list to that user's channels.
    /// </summary>
    public Task<ChannelPage> ListAsync(string appId, string? joinedBy, ChannelQuery query, CancellationToken ct = default) =>
        store.ReadAsync(async db =>
        {
            var after = Cursor.Decode(query.Next);
            var q = db.Channels.Where(c => c.AppId == appId && c.Type == GroupType);
            if (joinedBy is not null)
                q = q.Where(c => db.Members.Any(m => m.AppId == appId && m.ChannelId == c.ChannelId && m.UserId == joinedBy));
            if (!string.IsNullOrEmpty(query.Name))
            {
                // Case-insensitive "contains" that every provider translates (lower() on both sides).
                var name = query.Name.ToLowerInvariant();
                q = q.Where(c => c.Name.ToLower().Contains(name));
            }
            if (query.IncludeMembers is { Count: > 0 } include)
            {
                var n = include.Count;
                q = q.Where(c => db.Members.Count(m => m.AppId == appId && m.ChannelId == c.ChannelId && include.Contains(m.UserId)) == n);
            }
            if (after is { } a)
                q = q.Where(c => c.CreatedAt < a.Time || (c.CreatedAt == a.Time && string.Compare(c.ChannelId, a.Id) > 0));
            var rows = await q.OrderByDescending(c => c.CreatedAt).ThenBy(c => c.ChannelId).Take(query.Limit + 1).ToListAsync(ct);
            var more = rows.Count > query.Limit;
            if (more) rows.RemoveAt(rows.Count - 1);
            var dtos = await DecorateAsync(db, appId, rows, query, ct);
            return new ChannelPage(dtos, more ? Cursor.Encode(rows[^1].CreatedAt, rows[^1].ChannelId) : null);
        }, ct);

    /// <summary>Every channel the user is a member of (clients subscribe from it); the query's limit and cursor do not apply.</summary>
    public Task<List<ChannelDto>> ListAllJoinedAsync(string appId, string userId, ChannelQuery query, CancellationToken ct = default) =>
        store.ReadAsync(async db =>
        {
            var rows = await db.Channels
                .Where(c => c.AppId == appId && db.Members.Any(m => m.AppId == appId && m.ChannelId == c.ChannelId && m.UserId == userId))
                .OrderByDescending(c => c.CreatedAt).ThenBy(c => c.ChannelId)
                .ToListAsync(ct);
            return await DecorateAsync(db, appId, rows, query, ct);
        }, ct);

    /// <summary>Adds the <c>show_*</c> parts, with one query per part whatever the page size.</summary>
    private async Task<List<ChannelDto>> DecorateAsync(ChatDbContext db, string appId, List<ChannelRow> rows, ChannelQuery query, CancellationToken ct)
    {
        var ids = rows.Select(r => r.ChannelId).ToList();
        var needMembers = query.ShowMembers || query.ShowManagers || query.ShowReadReceipt || query.ShowDeliveryReceipt;
        var members = needMembers && ids.Count > 0
            ? await (from m in db.Members
                     join u in db.Users on new { m.AppId, m.UserId } equals new { u.AppId, u.UserId }
                     where m.AppId == appId && ids.Contains(m.ChannelId)
                     orderby m.JoinedAt, m.UserId
                     select new { m, u }).ToListAsync(ct)
            : [];
        var byChannel = members.ToLookup(x => x.m.ChannelId);
        Dictionary<string, Dictionary<string, long>> unread = query.ShowUnread && ids.Count > 0
            ? await UnreadAsync(db, appId, ids, ct)
            : new();
        Dictionary<long, MessageDto> last = new();
        if (query.ShowLastMessage)
        {
            var lastIds = rows.Where(r => r.LastMessageId > 0).Select(r => r.LastMessageId).ToList();
            if (lastIds.Count > 0)
                foreach (var m in await messages.LoadAsync(db, appId, db.Messages.Where(x => lastIds.Contains(x.MessageId)), ct))
                    last[m.MessageId] = m;
        }
        return rows.Select(r =>
        {
            var dto = ToDto(r);
            var ms = byChannel[r.ChannelId].ToList();
            return dto with
            {
                Members = query.ShowMembers ? ms.Select(x => UserService.ToDto(x.u, x.m.JoinedAt)).ToList() : null,
                Managers = query.ShowManagers ? ms.Where(x => x.m.IsManager).Select(x => UserService.ToDto(x.u, x.m.JoinedAt)).ToList() : null,
                ReadReceipt = query.ShowReadReceipt ? ms.ToDictionary(x => x.m.UserId, x => x.m.ReadAt) : null,
                DeliveryReceipt = query.ShowDeliveryReceipt ? ms.ToDictionary(x => x.m.UserId, x => x.m.DeliveredAt) : null,
                Unread = query.ShowUnread ? unread.GetValueOrDefault(r.ChannelId) ?? new() : null,
                LastMessage = query.ShowLastMessage && last.TryGetValue(r.LastMessageId, out var lm) ? lm : null,
            };
        }).ToList();
    }

    /// <summary>
    /// Unread counts derived from read positions: messages of others above the member's last read
    /// message. Nothing is counted at send time, so a send costs O(1) rows.
    /// </summary>
    internal static async Task<Dictionary<string, Dictionary<string, long>>> UnreadAsync(ChatDbContext db, string appId, IReadOnlyCollection<string> channelIds, CancellationToken ct)
    {
        var rows = await db.Members
            .Where(m => m.AppId == appId && channelIds.Contains(m.ChannelId))
            .Select(m => new
            {
                m.ChannelId,
                m.UserId,
                Count = db.Messages.Count(x => x.AppId == appId && x.ChannelId == m.ChannelId && x.MessageId > m.ReadMessageId && x.UserId != m.UserId),
            })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.ChannelId).ToDictionary(g => g.Key, g => g.ToDictionary(r => r.UserId, r => (long)r.Count));
    }

    /// <summary>The channel with receipts and unread counts, as read/delivered events carry it.</summary>
    private static async Task<ChannelDto> WithReceiptsAsync(ChatDbContext db, ChannelRow channel, CancellationToken ct)
    {
        var ms = await db.Members.Where(m => m.AppId == channel.AppId && m.ChannelId == channel.ChannelId).ToListAsync(ct);
        var unread = await UnreadAsync(db, channel.AppId, [channel.ChannelId], ct);
        return ToDto(channel) with
        {
            ReadReceipt = ms.ToDictionary(m => m.UserId, m => m.ReadAt),
            DeliveryReceipt = ms.ToDictionary(m => m.UserId, m => m.DeliveredAt),
            Unread = unread.GetValueOrDefault(channel.ChannelId) ?? new(),
        };
    }

    public Task<List<UserDto>> MembersAsync(string appId, string channelId, Actor actor, CancellationToken ct = default) =>
        store.ReadAsync(async db =>
        {
            await RequireChannelAsync(db, appId, channelId, ct);
            await RequireMemberAsync(db, appId, channelId, actor, ct);
            return await MemberUsers(db, appId, channelId, managersOnly: false).ToListAsync(ct);
        }, ct);

    public Task<List<UserDto>> ManagersAsync(string appId, string channelId, Actor actor, CancellationToken ct = default) =>
        store.ReadAsync(async db =>
        {
            await RequireChannelAsync(db, appId, channelId, ct);
            await RequireManagerAsync(db, appId, channelId, actor, ct);
            return await MemberUsers(db, appId, channelId, managersOnly: true).ToListAsync(ct);
        }, ct);

    private static IQueryable<UserDto> MemberUsers(ChatDbContext db, string appId, string channelId, bool managersOnly) =>
        from m in db.Members
        join u in db.Users on new { m.AppId, m.UserId } equals new { u.AppId, u.UserId }
        where m.AppId == appId && m.ChannelId == channelId && (!managersOnly || m.IsManager)
        orderby m.JoinedAt, m.UserId
        select new UserDto(u.UserId, u.Name, u.ProfileUrl, null, u.CreatedAt, u.UpdatedAt, m.JoinedAt) { Meta = Meta.ToWire(u.Meta) };

    public async Task<List<string>> OnlineMembersAsync(string appId, string channelId, Actor actor, CancellationToken ct = default)
    {
        var ids = await store.ReadAsync(async db =>
        {
            await RequireChannelAsync(db, appId, channelId, ct);
            await RequireMemberAsync(db, appId, channelId, actor, ct);
            return await db.Members.Where(m => m.AppId == appId && m.ChannelId == channelId).OrderBy(m => m.JoinedAt).Select(m => m.UserId).ToListAsync(ct);
        }, ct);
        return (await presence.OnlineAsync(appId, ids, ct)).ToList();
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    public sealed record CreateRequest(string ChannelId, string Name, string? ProfileUrl, IReadOnlyList<string> Members, bool Reuse, Dictionary<string, string>? Meta, IReadOnlyList<string>? Managers = null);

    /// <summary>
    /// Creates a group channel. An SDK caller joins and becomes its manager; the Platform API names
    /// the members and managers. Raises <c>user_joined_channel</c> to every member and
    /// <c>user_become_manager</c> to every manager.
    /// </summary>
    public async Task<ChannelDto> CreateAsync(AppRow app, Actor actor, CreateRequest request, CancellationToken ct = default)
    {
        Meta.CheckCount(request.Meta, app.MaxMetaKeys);
        var memberIds = request.Members.ToList();
        var managerIds = (request.Managers ?? []).ToList();
        if (!actor.IsPlatform)
        {
            memberIds.Remove(actor.UserId!);
            memberIds.Insert(0, actor.UserId!);
            if (!managerIds.Contains(actor.UserId!)) managerIds.Insert(0, actor.UserId!);
        }
        foreach (var m in managerIds) if (!memberIds.Contains(m)) memberIds.Add(m);
        if (memberIds.Count > app.MaxMembersPerChannel)
            throw ApiException.Invalid(ErrorCodes.MemberLimitExceeded, $"members: {memberIds.Count} exceeds this app's limit of {app.MaxMembersPerChannel} per channel");
        if (managerIds.Count > app.MaxManagersPerChannel)
            throw ApiException.Invalid(ErrorCodes.ManagerLimitExceeded, $"managers: {managerIds.Count} exceeds this app's limit of {app.MaxManagersPerChannel} per channel");

        var (channel, users, created) = await store.WriteAsync(async db =>
        {
            var existing = await db.Channels.FirstOrDefaultAsync(c => c.AppId == app.AppId && c.ChannelId == request.ChannelId, ct);
            if (existing is not null)
            {
                if (!request.Reuse) throw ApiException.Invalid(ErrorCodes.DuplicateId, $"channel '{request.ChannelId}' already exists");
                return (existing, new List<UserRow>(), false);
            }
            var found = await db.Users.Where(u => u.AppId == app.AppId && memberIds.Contains(u.UserId)).ToListAsync(ct);
            var missing = memberIds.FirstOrDefault(id => found.All(u => u.UserId != id));
            if (missing is not null) throw ApiException.NotFound(ErrorCodes.UserNotFound, $"user '{missing}' not found");
            var now = Clock.NowMs;
            var c = new ChannelRow
            {
                AppId = app.AppId, ChannelId = request.ChannelId, Type = GroupType, Name = request.Name,
                ProfileUrl = request.ProfileUrl, Meta = request.Meta is null ? null : Meta.Write(request.Meta),
                CreatedAt = now, UpdatedAt = now,
            };
            db.Channels.Add(c);
            foreach (var id in memberIds)
                db.Members.Add(new MemberRow { AppId = app.AppId, ChannelId = c.ChannelId, UserId = id, IsManager = managerIds.Contains(id), JoinedAt = now, ReadAt = 0, DeliveredAt = 0 });
            return (c, memberIds.Select(id => found.First(u => u.UserId == id)).ToList(), true);
        }, ct);

        var dto = ToDto(channel);
        if (created)
        {
            var list = new List<ChatEvent>();
            foreach (var u in users)
                list.Add(UserEvent(app.AppId, u.UserId, "user_joined_channel", UserService.ToDto(u, channel.CreatedAt), dto));
            foreach (var u in users.Where(u => managerIds.Contains(u.UserId)))
                list.Add(UserEvent(app.AppId, u.UserId, "user_become_manager", UserService.ToDto(u, channel.CreatedAt), dto));
            await events.PublishAsync(list, ct);
        }
        return dto;
    }

    /// <summary>Changes name, picture (and meta for the Platform API); manager only; raises <c>group:channel_update</c>.</summary>
    public Task<ChannelDto> UpdateAsync(AppRow app, string channelId, Actor actor, string? name, string? profileUrl, Dictionary<string, string>? meta = null, CancellationToken ct = default) =>
        ChangeAsync(app, channelId, actor, managerOnly: true, c =>
        {
            if (name is not null) c.Name = name;
            if (profileUrl is not null) c.ProfileUrl = profileUrl.Length == 0 ? null : profileUrl;
            if (meta is not null) c.Meta = Meta.Merge(c.Meta, meta, app.MaxMetaKeys);
            return "group:channel_update";
        }, ct);

    /// <summary>
    /// Applies <paramref name="change"/> to the stored channel after the permission check (manager or
    /// member), then publishes the category the change returns, with the channel as it now is.
    /// </summary>
    private async Task<ChannelDto> ChangeAsync(AppRow app, string channelId, Actor actor, bool managerOnly, Func<ChannelRow, string> change, CancellationToken ct)
    {
        var (channel, category) = await store.WriteAsync(async db =>
        {
            var c = await RequireChannelAsync(db, app.AppId, channelId, ct);
            if (managerOnly) await RequireManagerAsync(db, app.AppId, channelId, actor, ct);
            else await RequireMemberAsync(db, app.AppId, channelId, actor, ct);
            var category = change(c);
            c.UpdatedAt = Clock.NowMs;
            return (c, category);
        }, ct);
        await events.PublishAsync([ChannelEvent(app.AppId, channel, category)], ct);
        return ToDto(channel);
    }

    /// <summary>Deletes the channel with its messages, files, members and bans; every member's subscription is cut after the event.</summary>
    public async Task DeleteAsync(AppRow app, string channelId, Actor actor, CancellationToken ct = default)
    {
        var (channel, memberIds, fileKeys) = await store.WriteAsync(async db =>
        {
            var c = await RequireChannelAsync(db, app.AppId, channelId, ct);
            await RequireManagerAsync(db, app.AppId, channelId, actor, ct);
            var ids = await db.Members.Where(m => m.AppId == app.AppId && m.ChannelId == channelId).Select(m => m.UserId).ToListAsync(ct);
            var keys = await db.Messages.Where(m => m.AppId == app.AppId && m.ChannelId == channelId && m.FileKey != null).Select(m => m.FileKey!).ToListAsync(ct);
            await db.Messages.Where(m => m.AppId == app.AppId && m.ChannelId == channelId).ExecuteDeleteAsync(ct);
            await db.Members.Where(m => m.AppId == app.AppId && m.ChannelId == channelId).ExecuteDeleteAsync(ct);
            await db.Bans.Where(m => m.AppId == app.AppId && m.ChannelId == channelId).ExecuteDeleteAsync(ct);
            db.Channels.Remove(c);
            return (c, ids, keys);
        }, ct);
        foreach (var key in fileKeys) await files.DeleteAsync(key, ct);
        var cuts = memberIds.Select(u => new SubscriptionCut(u, channel.Type, channelId, ManagerOnly: false)).ToList();
        await events.PublishAsync([ChannelEvent(app.AppId, channel, "group:channel_delete", cuts: cuts)], ct);
    }

    // ---- membership ---------------------------------------------------------------------------

    /// <summary>SDK join: the caller joins. Banned 1019, already 1006, full 1010.</summary>
    public Task JoinAsync(AppRow app, string channelId, string userId, CancellationToken ct = default) =>
        AddMembersAsync(app, channelId, [userId], ct, strict: true);

    /// <summary>
    /// Adds members. Raises <c>group:channel_join</c> to the channel (members already there hear it)
    /// and <c>user_joined_channel</c> to each new member, who does not hear the channel yet.
    /// </summary>
    public async Task AddMembersAsync(AppRow app, string channelId, IReadOnlyList<string> userIds, CancellationToken ct = default, bool strict = false)
    {
        var (channel, added) = await store.WriteAsync(async db =>
        {
            var c = await RequireChannelAsync(db, app.AppId, channelId, ct);
            var now = Clock.NowMs;
            var current = await db.Members.Where(m => m.AppId == app.AppId && m.ChannelId == channelId).Select(m => m.UserId).ToListAsync(ct);
            var found = await db.Users.Where(u => u.AppId == app.AppId && userIds.Contains(u.UserId)).ToListAsync(ct);
            var bans = await db.Bans.Where(b => b.AppId == app.AppId && b.ChannelId == channelId && userIds.Contains(b.UserId) && b.EndAt > now).Select(b => b.UserId).ToListAsync(ct);
            var toAdd = new List<UserRow>();
            foreach (var id in userIds)
            {
                var user = found.FirstOrDefault(u => u.UserId == id) ?? throw ApiException.NotFound(ErrorCodes.UserNotFound, $"user '{id}' not found");
                if (bans.Contains(id)) throw ApiException.Forbidden(ErrorCodes.BannedCannotJoin, $"user '{id}' is banned from channel '{channelId}'");
                if (current.Contains(id))
                {
                    if (strict) throw ApiException.Invalid(ErrorCodes.AlreadyJoined, $"user '{id}' is already a member of channel '{channelId}'");
                    continue;
                }
                toAdd.Add(user);
            }
            if (current.Count + toAdd.Count > app.MaxMembersPerChannel)
                throw ApiException.Invalid(ErrorCodes.MemberLimitExceeded, $"channel '{channelId}' is full ({app.MaxMembersPerChannel} members)");
            foreach (var u in toAdd)
                db.Members.Add(new MemberRow { AppId = app.AppId, ChannelId = channelId, UserId = u.UserId, JoinedAt = now, ReadMessageId = c.LastMessageId, ReadAt = 0, DeliveredAt = 0 });
            if (toAdd.Count > 0) c.UpdatedAt = now;
            return (c, toAdd.Select(u => UserService.ToDto(u, now)).ToList());
        }, ct);
        var dto = ToDto(channel);
        var list = new List<ChatEvent>();
        foreach (var u in added)
        {
            list.Add(ChannelEvent(app.AppId, channel, "group:channel_join", user: u));
            list.Add(UserEvent(app.AppId, u.UserId, "user_joined_channel", u, dto));
        }
        await events.PublishAsync(list, ct);
    }

    /// <summary>SDK leave: the caller leaves (1008 when not a member).</summary>
    public Task LeaveAsync(AppRow app, string channelId, string userId, CancellationToken ct = default) =>
        RemoveMembersAsync(app, channelId, [userId], ct, strict: true);

    /// <summary>Removes members; each hears <c>group:channel_leave</c> and then loses the channel's topics.</summary>
    public async Task RemoveMembersAsync(AppRow app, string channelId, IReadOnlyList<string> userIds, CancellationToken ct = default, bool strict = false)
    {
        var (channel, removed) = await store.WriteAsync(async db =>
        {
            var c = await RequireChannelAsync(db, app.AppId, channelId, ct);
            var rows = await db.Members.Where(m => m.AppId == app.AppId && m.ChannelId == channelId && userIds.Contains(m.UserId)).ToListAsync(ct);
            if (strict && rows.Count < userIds.Count)
                throw ApiException.Forbidden(ErrorCodes.NotJoined, $"user '{userIds.First(id => rows.All(r => r.UserId != id))}' is not a member of channel '{channelId}'");
            var users = await db.Users.Where(u => u.AppId == app.AppId && userIds.Contains(u.UserId)).ToListAsync(ct);
            db.Members.RemoveRange(rows);
            if (rows.Count > 0) c.UpdatedAt = Clock.NowMs;
            return (c, rows.Select(r => UserService.ToDto(users.First(u => u.UserId == r.UserId))).ToList());
        }, ct);
        await events.PublishAsync(removed.Select(u => ChannelEvent(app.AppId, channel, "group:channel_leave", user: u,
            cuts: [new SubscriptionCut(u.UserId, channel.Type, channelId, ManagerOnly: false)])).ToList(), ct);
    }

    // ---- managers -----------------------------------------------------------------------------

    /// <summary>Makes a member a manager (1008 when not a member, 1011 over the limit); idempotent.</summary>
    public async Task AddManagerAsync(AppRow app, string channelId, Actor actor, string userId, CancellationToken ct = default)
    {
        var result = await store.WriteAsync<(ChannelRow, UserDto)?>(async db =>
        {
            var c = await RequireChannelAsync(db, app.AppId, channelId, ct);
            await RequireManagerAsync(db, app.AppId, channelId, actor, ct);
            var user = await RequireUserAsync(db, app.AppId, userId, ct);
            var m = await FindMemberAsync(db, app.AppId, channelId, userId, ct)
                ?? throw ApiException.Forbidden(ErrorCodes.NotJoined, $"user '{userId}' is not a member of channel '{channelId}'");
            if (m.IsManager) return null;
            var count = await db.Members.CountAsync(x => x.AppId == app.AppId && x.ChannelId == channelId && x.IsManager, ct);
            if (count >= app.MaxManagersPerChannel)
                throw ApiException.Invalid(ErrorCodes.ManagerLimitExceeded, $"channel '{channelId}' already has {count} managers (limit {app.MaxManagersPerChannel})");
            m.IsManager = true;
            return (c, UserService.ToDto(user, m.JoinedAt));
        }, ct);
        if (result is var (channel, dto))
            await events.PublishAsync([ChannelEvent(app.AppId, channel, "group:channel_manager_create", user: dto)], ct);
    }

    /// <summary>Takes manager rights away (1016 when not a manager); the user then loses the manager topic.</summary>
    public async Task RemoveManagerAsync(AppRow app, string channelId, Actor actor, string userId, CancellationToken ct = default)
    {
        var (channel, dto) = await store.WriteAsync(async db =>
        {
            var c = await RequireChannelAsync(db, app.AppId, channelId, ct);
            await RequireManagerAsync(db, app.AppId, channelId, actor, ct);
            var m = await FindMemberAsync(db, app.AppId, channelId, userId, ct);
            if (m is not { IsManager: true })
                throw ApiException.Invalid(ErrorCodes.NotManager, $"user '{userId}' is not a manager of channel '{channelId}'");
            var user = await RequireUserAsync(db, app.AppId, userId, ct);
            m.IsManager = false;
            return (c, UserService.ToDto(user, m.JoinedAt));
        }, ct);
        await events.PublishAsync([ChannelEvent(app.AppId, channel, "group:channel_manager_delete", user: dto,
            cuts: [new SubscriptionCut(userId, channel.Type, channelId, ManagerOnly: true)])], ct);
    }

    // ---- freeze, meta -------------------------------------------------------------------------

    /// <summary>Freezes (only managers may send) or unfreezes; manager only.</summary>
    public Task<ChannelDto> FreezeAsync(AppRow app, string channelId, Actor actor, bool freeze, CancellationToken ct = default) =>
        ChangeAsync(app, channelId, actor, managerOnly: true, c =>
        {
            c.Freeze = freeze;
            return freeze ? "group:channel_freeze" : "group:channel_unfreeze";
        }, ct);

    /// <summary>Merges meta keys (1014 over the limit); any member; raises <c>group:channel_update</c>.</summary>
    public Task<ChannelDto> UpdateMetaAsync(AppRow app, string channelId, Actor actor, Dictionary<string, string> changes, CancellationToken ct = default) =>
        ChangeAsync(app, channelId, actor, managerOnly: false, c =>
        {
            c.Meta = Meta.Merge(c.Meta, changes, app.MaxMetaKeys);
            return "group:channel_update";
        }, ct);

    /// <summary>Removes meta keys; any member; raises <c>group:channel_update</c>.</summary>
    public Task<ChannelDto> DeleteMetaAsync(AppRow app, string channelId, Actor actor, IReadOnlyList<string> keys, CancellationToken ct = default) =>
        ChangeAsync(app, channelId, actor, managerOnly: false, c =>
        {
            c.Meta = Meta.Remove(c.Meta, keys);
            return "group:channel_update";
        }, ct);

    // ---- receipts -----------------------------------------------------------------------------

    /// <summary>
    /// Marks channels read for the user: unread → 0 (read position = newest message), read receipt → now.
    /// All channels are checked before any is changed. One read event per channel.
    /// </summary>
    public async Task MarkReadAsync(AppRow app, IReadOnlyList<string> channelIds, string userId, CancellationToken ct = default)
    {
        var payloads = await store.WriteAsync(async db =>
        {
            var now = Clock.NowMs;
            var result = new List<(ChannelRow, ChannelDto)>();
            var pending = new List<(ChannelRow Channel, MemberRow Member)>();
            foreach (var id in channelIds)
            {
                var c = await RequireChannelAsync(db, app.AppId, id, ct);
                var m = await RequireMemberAsync(db, app.AppId, id, Actor.User(userId), ct);
                pending.Add((c, m!));
            }
            foreach (var (c, m) in pending)
            {
                m.ReadMessageId = c.LastMessageId;
                m.ReadAt = now;
            }
            await db.SaveChangesAsync(ct);
            foreach (var (c, _) in pending) result.Add((c, await WithReceiptsAsync(db, c, ct)));
            return result;
        }, ct);
        await events.PublishAsync(payloads.Select(p => ChannelEvent(app.AppId, p.Item1, "group:channel_message_read_event", channelPayload: p.Item2)).ToList(), ct);
    }

    public async Task MarkDeliveredAsync(AppRow app, string channelId, string userId, CancellationToken ct = default)
    {
        var (channel, payload) = await store.WriteAsync(async db =>
        {
            var c = await RequireChannelAsync(db, app.AppId, channelId, ct);
            var m = (await RequireMemberAsync(db, app.AppId, channelId, Actor.User(userId), ct))!;
            m.DeliveredAt = Clock.NowMs;
            await db.SaveChangesAsync(ct);
            return (c, await WithReceiptsAsync(db, c, ct));
        }, ct);
        await events.PublishAsync([ChannelEvent(app.AppId, channel, "group:channel_message_delivered_event", channelPayload: payload)], ct);
    }

    // ---- bans ---------------------------------------------------------------------------------

    public static BanDto ToDto(BanRow b, UserRow u) => new(UserService.ToDto(u), b.StartAt, b.EndAt, b.Reason);

    /// <summary>
    /// Bans a user for <paramref name="seconds"/>: they leave the channel (hearing <c>group:channel_ban</c>
    /// first) and cannot join until the ban ends. Self 1018, a manager 1017.
    /// </summary>
    public async Task<BanDto> BanAsync(AppRow app, string channelId, Actor actor, string userId, long seconds, string? reason, CancellationToken ct = default)
    {
        if (actor.UserId == userId) throw ApiException.Invalid(ErrorCodes.CannotBanYourself, "user_id: you cannot ban yourself");
        var (channel, ban, wasMember) = await store.WriteAsync(async db =>
        {
            var c = await RequireChannelAsync(db, app.AppId, channelId, ct);
            await RequireManagerAsync(db, app.AppId, channelId, actor, ct);
            var user = await RequireUserAsync(db, app.AppId, userId, ct);
            var member = await FindMemberAsync(db, app.AppId, channelId, userId, ct);
            if (member is { IsManager: true } && !actor.IsPlatform)
                throw ApiException.Forbidden(ErrorCodes.ManagersCannotBanEachOther, $"user '{userId}' is a manager; managers cannot ban each other");
            var now = Clock.NowMs;
            var row = await db.Bans.FirstOrDefaultAsync(b => b.AppId == app.AppId && b.ChannelId == channelId && b.UserId == userId, ct);
            if (row is null)
            {
                row = new BanRow { AppId = app.AppId, ChannelId = channelId, UserId = userId };
                db.Bans.Add(row);
            }
            row.StartAt = now;
            row.EndAt = now + seconds * 1000;
            row.Reason = reason;
            if (member is not null) db.Members.Remove(member);
            c.UpdatedAt = now;
            return (c, ToDto(row, user), member is not null);
        }, ct);
        await events.PublishAsync([ChannelEvent(app.AppId, channel, "group:channel_ban", user: ban.User, data: ban,
            cuts: wasMember ? [new SubscriptionCut(userId, channel.Type, channelId, ManagerOnly: false)] : null)], ct);
        return ban;
    }

    public async Task UnbanAsync(AppRow app, string channelId, Actor actor, string userId, CancellationToken ct = default)
    {
        var (channel, user) = await store.WriteAsync(async db =>
        {
            var c = await RequireChannelAsync(db, app.AppId, channelId, ct);
            await RequireManagerAsync(db, app.AppId, channelId, actor, ct);
            var u = await RequireUserAsync(db, app.AppId, userId, ct);
            var now = Clock.NowMs;
            var row = await db.Bans.FirstOrDefaultAsync(b => b.AppId == app.AppId && b.ChannelId == channelId && b.UserId == userId && b.EndAt > now, ct)
                ?? throw ApiException.NotFound(ErrorCodes.ResourceNotFound, $"user '{userId}' is not banned from channel '{channelId}'");
            db.Bans.Remove(row);
            return (c, UserService.ToDto(u));
        }, ct);
        await events.PublishAsync([ChannelEvent(app.AppId, channel, "group:channel_unban", user: user)], ct);
    }

    public Task<List<BanDto>> BannedAsync(string appId, string channelId, Actor actor, CancellationToken ct = default) =>
        store.ReadAsync(async db =>
        {
            await RequireChannelAsync(db, appId, channelId, ct);
            await RequireManagerAsync(db, appId, channelId, actor, ct);
            var now = Clock.NowMs;
            var rows = await (from b in db.Bans
                              join u in db.Users on new { b.AppId, b.UserId } equals new { u.AppId, u.UserId }
                              where b.AppId == appId && b.ChannelId == channelId && b.EndAt > now
                              orderby b.StartAt
                              select new { b, u }).ToListAsync(ct);
            return rows.Select(x => ToDto(x.b, x.u)).ToList();
        }, ct);
}
