namespace GitpleLive.Server.Services;

/// <summary>
/// Group channels: lifecycle, reads, freeze and meta. Owns the permission rules of PROTOCOL §5.2 for
/// the SDK and the Platform API alike, and publishes each change's events after it is stored.
/// Membership is <see cref="MembershipService"/>'s, bans are <see cref="BanService"/>'s.
/// </summary>
public sealed class ChannelService(ChatStore store, IEventPublisher events, MessageMapper messages, IFileStore files, TimeProvider time)
    : IChannelAdmin
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

    // ---- reads --------------------------------------------------------------------------------

    public Task<ChannelDto> GetAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default) =>
        store.ReadAsync(async db =>
        {
            var c = await db.RequireChannelAsync(caller.AppId, channelId, cancellationToken);
            return ToDto(c);
        }, cancellationToken);

    /// <summary>
    /// A page of channels, newest first (by creation; cursor stable under concurrent writes).
    /// <paramref name="joinedBy"/> limits the list to that user's channels.
    /// </summary>
    public Task<ChannelPage> ListAsync(ChatCaller caller, string? joinedBy, ChannelQuery query,
        CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        return store.ReadAsync(async db =>
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
            var rows = await q.OrderByDescending(c => c.CreatedAt).ThenBy(c => c.ChannelId).Take(query.Limit + 1)
                .ToListAsync(cancellationToken);
            var more = rows.Count > query.Limit;
            if (more) rows.RemoveAt(rows.Count - 1);
            var dtos = await DecorateAsync(db, caller, rows, query, cancellationToken);
            return new ChannelPage(dtos, more ? Cursor.Encode(rows[^1].CreatedAt, rows[^1].ChannelId) : null);
        }, cancellationToken);
    }

    /// <summary>
    /// Every channel the SDK caller is a member of (clients subscribe from it); the query's limit and cursor do not apply.
    /// </summary>
    public Task<List<ChannelDto>> ListAllJoinedAsync(ChatCaller caller, ChannelQuery query, CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        var userId = caller.RequireUserId();
        return store.ReadAsync(async db =>
        {
            var rows = await db.Channels
                .Where(c => c.AppId == appId && db.Members.Any(m => m.AppId == appId && m.ChannelId == c.ChannelId && m.UserId == userId))
                .OrderByDescending(c => c.CreatedAt).ThenBy(c => c.ChannelId)
                .ToListAsync(cancellationToken);
            return await DecorateAsync(db, caller, rows, query, cancellationToken);
        }, cancellationToken);
    }

    /// <summary>
    /// Adds the <c>show_*</c> parts, with one query per part whatever the page size. They are member data: an SDK
    /// caller gets them only for the channels it is a member of (managers only where it manages the channel, as the
    /// managers endpoint requires); the other channels stay plain directory entries. The Platform API sees all.
    /// </summary>
    private async Task<List<ChannelDto>> DecorateAsync(ChatDbContext db, ChatCaller caller, List<ChannelRow> rows, ChannelQuery query,
        CancellationToken ct)
    {
        var appId = caller.AppId;
        var anyShow = query.ShowMembers || query.ShowManagers || query.ShowReadReceipt || query.ShowDeliveryReceipt
            || query.ShowUnread || query.ShowLastMessage;
        if (!anyShow || rows.Count == 0) return rows.Select(ToDto).ToList();
        HashSet<string>? joined = null, managed = null;
        if (!caller.IsPlatform)
        {
            var userId = caller.UserId!;
            var pageIds = rows.Select(r => r.ChannelId).ToList();
            var mine = await db.Members
                .Where(m => m.AppId == appId && m.UserId == userId && pageIds.Contains(m.ChannelId))
                .Select(m => new { m.ChannelId, m.IsManager })
                .ToListAsync(ct);
            joined = mine.Select(m => m.ChannelId).ToHashSet(StringComparer.Ordinal);
            managed = mine.Where(m => m.IsManager).Select(m => m.ChannelId).ToHashSet(StringComparer.Ordinal);
        }
        bool IsJoined(string channelId) => joined is null || joined.Contains(channelId);
        bool IsManaged(string channelId) => managed is null || managed.Contains(channelId);
        var ids = rows.Select(r => r.ChannelId).Where(IsJoined).ToList();
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
            var lastIds = rows.Where(r => r.LastMessageId > 0 && IsJoined(r.ChannelId)).Select(r => r.LastMessageId).ToList();
            if (lastIds.Count > 0)
                foreach (var m in await messages.LoadAsync(db, appId, db.Messages.Where(x => lastIds.Contains(x.MessageId)), ct))
                    last[m.MessageId] = m;
        }
        return rows.Select(r =>
        {
            var dto = ToDto(r);
            if (!IsJoined(r.ChannelId)) return dto;
            var ms = byChannel[r.ChannelId].ToList();
            return dto with
            {
                Members = query.ShowMembers ? ms.Select(x => UserService.ToDto(x.u, x.m.JoinedAt)).ToList() : null,
                Managers = query.ShowManagers && IsManaged(r.ChannelId)
                    ? ms.Where(x => x.m.IsManager).Select(x => UserService.ToDto(x.u, x.m.JoinedAt)).ToList()
                    : null,
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
    internal static async Task<Dictionary<string, Dictionary<string, long>>> UnreadAsync(
        ChatDbContext db, string appId, IReadOnlyCollection<string> channelIds, CancellationToken cancellationToken)
    {
        var rows = await db.Members
            .Where(m => m.AppId == appId && channelIds.Contains(m.ChannelId))
            .Select(m => new
            {
                m.ChannelId,
                m.UserId,
                Count = db.Messages.Count(x => x.AppId == appId && x.ChannelId == m.ChannelId && x.MessageId > m.ReadMessageId
                    && x.UserId != m.UserId),
            })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(r => r.ChannelId).ToDictionary(g => g.Key, g => g.ToDictionary(r => r.UserId, r => (long)r.Count));
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    public sealed record CreateRequest(string ChannelId, string Name, string? ProfileUrl, IReadOnlyList<string> Members, bool Reuse,
        Dictionary<string, string>? Meta, IReadOnlyList<string>? Managers = null);

    /// <summary>
    /// Creates a group channel. An SDK caller joins and becomes its manager; the Platform API names
    /// the members and managers. Raises <c>user_joined_channel</c> to every member and
    /// <c>user_become_manager</c> to every manager.
    /// </summary>
    public async Task<ChannelDto> CreateAsync(ChatCaller caller, CreateRequest request, CancellationToken cancellationToken = default)
    {
        var app = caller.App;
        Meta.CheckCount(request.Meta, app.MaxMetaKeys);
        var memberIds = request.Members.ToList();
        var managerIds = (request.Managers ?? []).ToList();
        if (!caller.IsPlatform)
        {
            var self = caller.UserId!;
            memberIds.Remove(self);
            memberIds.Insert(0, self);
            if (!managerIds.Contains(self)) managerIds.Insert(0, self);
        }
        foreach (var m in managerIds) if (!memberIds.Contains(m)) memberIds.Add(m);
        if (memberIds.Count > app.MaxMembersPerChannel)
            throw ApiException.Invalid(ErrorCodes.MemberLimitExceeded,
                $"members: {memberIds.Count} exceeds this app's limit of {app.MaxMembersPerChannel} per channel");
        if (managerIds.Count > app.MaxManagersPerChannel)
            throw ApiException.Invalid(ErrorCodes.ManagerLimitExceeded,
                $"managers: {managerIds.Count} exceeds this app's limit of {app.MaxManagersPerChannel} per channel");

        var (channel, _, _) = await store.WriteAsync(async db =>
        {
            var existing = await db.Channels.FirstOrDefaultAsync(c => c.AppId == app.AppId && c.ChannelId == request.ChannelId,
                cancellationToken);
            if (existing is not null)
            {
                if (!request.Reuse) throw ApiException.Invalid(ErrorCodes.DuplicateId, $"channel '{request.ChannelId}' already exists");
                return (existing, new List<UserRow>(), false);
            }
            var found = await db.Users.Where(u => u.AppId == app.AppId && memberIds.Contains(u.UserId)).ToListAsync(cancellationToken);
            var missing = memberIds.FirstOrDefault(id => found.All(u => u.UserId != id));
            if (missing is not null) throw ApiException.NotFound(ErrorCodes.UserNotFound, $"user '{missing}' not found");
            var now = time.NowMs();
            var c = new ChannelRow
            {
                AppId = app.AppId, ChannelId = request.ChannelId, Type = GroupType, Name = request.Name,
                ProfileUrl = request.ProfileUrl, Meta = request.Meta is null ? null : Meta.Write(request.Meta),
                CreatedAt = now, UpdatedAt = now,
            };
            db.Channels.Add(c);
            foreach (var id in memberIds)
                db.Members.Add(new MemberRow
                {
                    AppId = app.AppId, ChannelId = c.ChannelId, UserId = id, IsManager = managerIds.Contains(id),
                    JoinedAt = now, ReadAt = 0, DeliveredAt = 0,
                });
            return (c, memberIds.Select(id => found.First(u => u.UserId == id)).ToList(), true);
        }, stored => stored.Item3 ? CreatedEvents(app.AppId, stored.Item1, stored.Item2, memberIds, managerIds) : [],
            events, cancellationToken);
        return ToDto(channel);
    }

    private static List<ChatEvent> CreatedEvents(string appId, ChannelRow channel, List<UserRow> users, List<string> memberIds,
        List<string> managerIds)
    {
        var dto = ToDto(channel);
        var list = new List<ChatEvent>();
        foreach (var u in users)
            list.Add(ChannelEvents.ToUser(appId, u.UserId, EventCategories.UserJoinedChannel, UserService.ToDto(u, channel.CreatedAt),
                dto));
        foreach (var u in users.Where(u => managerIds.Contains(u.UserId)))
            list.Add(ChannelEvents.ToUser(appId, u.UserId, EventCategories.UserBecomeManager, UserService.ToDto(u, channel.CreatedAt),
                dto));
        list.Add(Webhooks.WebhookEvents.ChannelCreated(appId, channel, dto, memberIds, managerIds));
        return list;
    }

    /// <summary>Changes name, picture (and meta for the Platform API); manager only; raises <c>group:channel_update</c>.</summary>
    public Task<ChannelDto> UpdateAsync(ChatCaller caller, string channelId, string? name, string? profileUrl,
        Dictionary<string, string>? meta = null, CancellationToken cancellationToken = default)
    {
        if (meta is not null) caller.RequirePlatform();
        return ChangeAsync(caller, channelId, managerOnly: true, c =>
        {
            if (name is not null) c.Name = name;
            if (profileUrl is not null) c.ProfileUrl = profileUrl.Length == 0 ? null : profileUrl;
            if (meta is not null) c.Meta = Meta.Merge(c.Meta, meta, caller.App.MaxMetaKeys);
            return EventCategories.ChannelUpdate;
        }, cancellationToken);
    }

    /// <summary>
    /// Deletes the channel with its messages, files, members and bans; every member's subscription is cut after the event.
    /// </summary>
    public async Task DeleteAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        var (_, _, fileKeys) = await store.WriteAsync(async db =>
        {
            var c = await db.RequireChannelAsync(appId, channelId, cancellationToken);
            await db.RequireManagerAsync(caller, channelId, cancellationToken);
            var inChannel = db.Members.Where(m => m.AppId == appId && m.ChannelId == channelId);
            var ids = await inChannel.Select(m => m.UserId).ToListAsync(cancellationToken);
            var keys = await db.Messages.Where(m => m.AppId == appId && m.ChannelId == channelId && m.FileKey != null)
                .Select(m => m.FileKey!).ToListAsync(cancellationToken);
            var inChannelIds = db.Messages.Where(m => m.AppId == appId && m.ChannelId == channelId).Select(m => m.MessageId);
            await db.Reactions.Where(r => r.AppId == appId && inChannelIds.Contains(r.MessageId)).ExecuteDeleteAsync(cancellationToken);
            await db.Messages.Where(m => m.AppId == appId && m.ChannelId == channelId).ExecuteDeleteAsync(cancellationToken);
            await inChannel.ExecuteDeleteAsync(cancellationToken);
            await db.Bans.Where(m => m.AppId == appId && m.ChannelId == channelId).ExecuteDeleteAsync(cancellationToken);
            db.Channels.Remove(c);
            return (c, ids, keys);
        }, deleted => [ChannelEvents.ToChannel(appId, deleted.c, EventCategories.ChannelDelete,
            cuts: deleted.ids.Select(u => new SubscriptionCut(u, deleted.c.Type, channelId, ManagerOnly: false)).ToList())],
            events, cancellationToken);
        foreach (var key in fileKeys) await files.DeleteAsync(key, cancellationToken);
    }

    // ---- freeze, meta -------------------------------------------------------------------------

    /// <summary>Freezes (only managers may send) or unfreezes; manager only.</summary>
    public Task<ChannelDto> FreezeAsync(ChatCaller caller, string channelId, bool freeze, CancellationToken cancellationToken = default) =>
        ChangeAsync(caller, channelId, managerOnly: true, c =>
        {
            c.Freeze = freeze;
            return freeze ? EventCategories.ChannelFreeze : EventCategories.ChannelUnfreeze;
        }, cancellationToken);

    /// <summary>Merges meta keys (1014 over the limit); any member; raises <c>group:channel_update</c>.</summary>
    public Task<ChannelDto> UpdateMetaAsync(ChatCaller caller, string channelId, Dictionary<string, string> changes,
        CancellationToken cancellationToken = default) =>
        ChangeAsync(caller, channelId, managerOnly: false, c =>
        {
            c.Meta = Meta.Merge(c.Meta, changes, caller.App.MaxMetaKeys);
            return EventCategories.ChannelUpdate;
        }, cancellationToken);

    /// <summary>Removes meta keys; any member; raises <c>group:channel_update</c>.</summary>
    public Task<ChannelDto> DeleteMetaAsync(ChatCaller caller, string channelId, IReadOnlyList<string> keys,
        CancellationToken cancellationToken = default) =>
        ChangeAsync(caller, channelId, managerOnly: false, c =>
        {
            c.Meta = Meta.Remove(c.Meta, keys);
            return EventCategories.ChannelUpdate;
        }, cancellationToken);

    /// <summary>
    /// Applies <paramref name="change"/> to the stored channel after the permission check (manager or
    /// member), then publishes the category the change returns, with the channel as it now is.
    /// </summary>
    private async Task<ChannelDto> ChangeAsync(ChatCaller caller, string channelId, bool managerOnly, Func<ChannelRow, string> change,
        CancellationToken ct)
    {
        var (channel, _) = await store.WriteAsync(async db =>
        {
            var c = await db.RequireChannelAsync(caller.AppId, channelId, ct);
            if (managerOnly) await db.RequireManagerAsync(caller, channelId, ct);
            else await db.RequireMemberAsync(caller, channelId, ct);
            var category = change(c);
            c.UpdatedAt = time.NowMs();
            return (c, category);
        }, changed => [ChannelEvents.ToChannel(caller.AppId, changed.c, changed.category)], events, ct);
        return ToDto(channel);
    }
}
