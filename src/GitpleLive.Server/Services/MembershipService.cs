namespace GitpleLive.Server.Services;

/// <summary>
/// Who is in a group channel: join and leave, members added and removed by the Platform API,
/// managers, read and delivery receipts, and who of the members is online.
/// </summary>
public sealed class MembershipService(ChatStore store, IEventPublisher events, IPresence presence, TimeProvider time)
    : IChannelManagers
{
    // ---- reads --------------------------------------------------------------------------------

    public Task<List<UserDto>> MembersAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default) =>
        MemberUsersAsync(caller, channelId, managersOnly: false, cancellationToken);

    public Task<List<UserDto>> ManagersAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default) =>
        MemberUsersAsync(caller, channelId, managersOnly: true, cancellationToken);

    /// <summary>The members (or only the managers, which only a manager may read) with their join times.</summary>
    private Task<List<UserDto>> MemberUsersAsync(ChatCaller caller, string channelId, bool managersOnly, CancellationToken ct) =>
        store.ReadAsync(async db =>
        {
            await db.RequireChannelAsync(caller.AppId, channelId, ct);
            if (managersOnly) await db.RequireManagerAsync(caller, channelId, ct);
            else await db.RequireMemberAsync(caller, channelId, ct);
            return await MemberUsers(db, caller.AppId, channelId, managersOnly).ToListAsync(ct);
        }, ct);

    private static IQueryable<UserDto> MemberUsers(ChatDbContext db, string appId, string channelId, bool managersOnly) =>
        from m in db.Members
        join u in db.Users on new { m.AppId, m.UserId } equals new { u.AppId, u.UserId }
        where m.AppId == appId && m.ChannelId == channelId && (!managersOnly || m.IsManager)
        orderby m.JoinedAt, m.UserId
        select new UserDto(u.UserId, u.Name, u.ProfileUrl, null, u.CreatedAt, u.UpdatedAt, m.JoinedAt) { Meta = Meta.ToWire(u.Meta) };

    public async Task<List<string>> OnlineMembersAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default)
    {
        var ids = await store.ReadAsync(async db =>
        {
            await db.RequireChannelAsync(caller.AppId, channelId, cancellationToken);
            await db.RequireMemberAsync(caller, channelId, cancellationToken);
            return await db.Members.Where(m => m.AppId == caller.AppId && m.ChannelId == channelId)
                .OrderBy(m => m.JoinedAt).Select(m => m.UserId).ToListAsync(cancellationToken);
        }, cancellationToken);
        return (await presence.OnlineAsync(caller.AppId, ids, cancellationToken)).ToList();
    }

    // ---- joining and leaving ------------------------------------------------------------------

    /// <summary>
    /// Whose membership a join, leave, add or remove changes: the SDK caller itself, strictly (already a member,
    /// or not one, is an error), or the users the Platform API names, leniently (those are skipped).
    /// </summary>
    private sealed record MemberChange(AppRow App, IReadOnlyList<string> UserIds, bool Strict)
    {
        public static MemberChange Self(ChatCaller caller) => new(caller.App, [caller.RequireUserId()], Strict: true);

        public static MemberChange ByPlatform(ChatCaller caller, IReadOnlyList<string> userIds)
        {
            caller.RequirePlatform();
            return new(caller.App, userIds, Strict: false);
        }
    }

    private async Task AddAsync(MemberChange change, string channelId, CancellationToken ct)
    {
        var (app, userIds, strict) = change;
        await store.WriteAsync(async db =>
        {
            var c = await db.RequireChannelAsync(app.AppId, channelId, ct);
            var now = time.NowMs();
            var current = await db.Members.Where(m => m.AppId == app.AppId && m.ChannelId == channelId).Select(m => m.UserId)
                .ToListAsync(ct);
            var found = await db.Users.Where(u => u.AppId == app.AppId && userIds.Contains(u.UserId)).ToListAsync(ct);
            var bans = await db.Bans.Where(b => b.AppId == app.AppId && b.ChannelId == channelId && userIds.Contains(b.UserId)
                && b.EndAt > now)
                .Select(b => b.UserId).ToListAsync(ct);
            var toAdd = new List<UserRow>();
            foreach (var id in userIds)
            {
                var user = found.FirstOrDefault(u => u.UserId == id) ?? throw ApiException.NotFound(ErrorCodes.UserNotFound,
                    $"user '{id}' not found");
                if (bans.Contains(id)) throw ApiException.Forbidden(ErrorCodes.BannedUserCannotJoin,
                    $"user '{id}' is banned from channel '{channelId}'");
                if (current.Contains(id))
                {
                    if (strict) throw ApiException.Invalid(ErrorCodes.AlreadyJoined,
                        $"user '{id}' is already a member of channel '{channelId}'");
                    continue;
                }
                toAdd.Add(user);
            }
            if (current.Count + toAdd.Count > app.MaxMembersPerChannel)
                throw ApiException.Invalid(ErrorCodes.MemberLimitExceeded,
                    $"channel '{channelId}' is full ({app.MaxMembersPerChannel} members)");
            foreach (var u in toAdd)
                db.Members.Add(new MemberRow
                {
                    AppId = app.AppId, ChannelId = channelId, UserId = u.UserId, JoinedAt = now,
                    ReadMessageId = c.LastMessageId, ReadAt = 0, DeliveredAt = 0,
                });
            if (toAdd.Count > 0) c.UpdatedAt = now;
            return (c, toAdd.Select(u => UserService.ToDto(u, now)).ToList());
        }, joined =>
        {
            var dto = ChannelService.ToDto(joined.c);
            var list = new List<ChatEvent>();
            foreach (var u in joined.Item2)
            {
                list.Add(ChannelEvents.ToChannel(app.AppId, joined.c, EventCategories.ChannelJoin, user: u));
                list.Add(ChannelEvents.ToUser(app.AppId, u.UserId, EventCategories.UserJoinedChannel, u, dto));
            }
            return list;
        }, events, ct);
    }

    /// <summary>SDK join: the caller joins. Banned 1019, already 1006, full 1010.</summary>
    public Task JoinAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default) =>
        AddAsync(MemberChange.Self(caller), channelId, cancellationToken);

    /// <summary>
    /// Platform API: adds members. Raises <c>group:channel_join</c> to the channel (members already
    /// there hear it) and <c>user_joined_channel</c> to each new member, who does not hear the channel yet.
    /// </summary>
    public Task AddMembersAsync(ChatCaller caller, string channelId, IReadOnlyList<string> userIds,
        CancellationToken cancellationToken = default) =>
        AddAsync(MemberChange.ByPlatform(caller, userIds), channelId, cancellationToken);

    private async Task RemoveAsync(MemberChange change, string channelId, CancellationToken ct)
    {
        var (app, userIds, strict) = change;
        await store.WriteAsync(async db =>
        {
            var c = await db.RequireChannelAsync(app.AppId, channelId, ct);
            var rows = await db.Members.Where(m => m.AppId == app.AppId && m.ChannelId == channelId
                && userIds.Contains(m.UserId)).ToListAsync(ct);
            if (strict && rows.Count < userIds.Count)
                throw ApiException.Forbidden(ErrorCodes.NotJoined,
                    $"user '{userIds.First(id => rows.All(r => r.UserId != id))}' is not a member of channel '{channelId}'");
            var users = await db.Users.Where(u => u.AppId == app.AppId && userIds.Contains(u.UserId)).ToListAsync(ct);
            db.Members.RemoveRange(rows);
            if (rows.Count > 0) c.UpdatedAt = time.NowMs();
            return (c, rows.Select(r => UserService.ToDto(users.First(u => u.UserId == r.UserId))).ToList());
        }, left => left.Item2.Select(u => ChannelEvents.ToChannel(app.AppId, left.c, EventCategories.ChannelLeave, user: u,
            cuts: [new SubscriptionCut(u.UserId, left.c.Type, channelId, ManagerOnly: false)])).ToList(), events, ct);
    }

    /// <summary>SDK leave: the caller leaves (1008 when not a member).</summary>
    public Task LeaveAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default) =>
        RemoveAsync(MemberChange.Self(caller), channelId, cancellationToken);

    /// <summary>Platform API: removes members; each hears <c>group:channel_leave</c> and then loses the channel's topics.</summary>
    public Task RemoveMembersAsync(ChatCaller caller, string channelId, IReadOnlyList<string> userIds,
        CancellationToken cancellationToken = default) =>
        RemoveAsync(MemberChange.ByPlatform(caller, userIds), channelId, cancellationToken);

    // ---- managers -----------------------------------------------------------------------------

    /// <summary>Makes a member a manager (1008 when not a member, 1011 over the limit); idempotent.</summary>
    public async Task AddManagerAsync(ChatCaller caller, string channelId, string userId, CancellationToken cancellationToken = default)
    {
        var app = caller.App;
        await store.WriteAsync<(ChannelRow, UserDto)?>(async db =>
        {
            var c = await db.RequireChannelAsync(app.AppId, channelId, cancellationToken);
            await db.RequireManagerAsync(caller, channelId, cancellationToken);
            var user = await db.RequireUserAsync(app.AppId, userId, cancellationToken);
            var m = await db.FindMemberAsync(app.AppId, channelId, userId, cancellationToken)
                ?? throw ApiException.Forbidden(ErrorCodes.NotJoined, $"user '{userId}' is not a member of channel '{channelId}'");
            if (m.IsManager) return null;
            var count = await db.Members.CountAsync(x => x.AppId == app.AppId && x.ChannelId == channelId && x.IsManager,
                cancellationToken);
            if (count >= app.MaxManagersPerChannel)
                throw ApiException.Invalid(ErrorCodes.ManagerLimitExceeded,
                    $"channel '{channelId}' already has {count} managers (limit {app.MaxManagersPerChannel})");
            m.IsManager = true;
            return (c, UserService.ToDto(user, m.JoinedAt));
        }, made => made is var (channel, dto)
            ? [ChannelEvents.ToChannel(app.AppId, channel, EventCategories.ChannelManagerCreate, user: dto)]
            : [], events, cancellationToken);
    }

    /// <summary>Takes manager rights away (1016 when not a manager); the user then loses the manager topic.</summary>
    public async Task RemoveManagerAsync(ChatCaller caller, string channelId, string userId, CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        await store.WriteAsync(async db =>
        {
            var c = await db.RequireChannelAsync(appId, channelId, cancellationToken);
            await db.RequireManagerAsync(caller, channelId, cancellationToken);
            var m = await db.FindMemberAsync(appId, channelId, userId, cancellationToken);
            if (m is not { IsManager: true })
                throw ApiException.Invalid(ErrorCodes.NotManager, $"user '{userId}' is not a manager of channel '{channelId}'");
            var user = await db.RequireUserAsync(appId, userId, cancellationToken);
            m.IsManager = false;
            return (c, UserService.ToDto(user, m.JoinedAt));
        }, removed => [ChannelEvents.ToChannel(appId, removed.c, EventCategories.ChannelManagerDelete, user: removed.Item2,
            cuts: [new SubscriptionCut(userId, removed.c.Type, channelId, ManagerOnly: true)])], events, cancellationToken);
    }

    // ---- receipts -----------------------------------------------------------------------------

    /// <summary>
    /// Marks channels read for the SDK caller: unread → 0 (read position = newest message), read
    /// receipt → now. All channels are checked before any is changed. One read event per channel.
    /// </summary>
    public async Task MarkReadAsync(ChatCaller caller, IReadOnlyList<string> channelIds, CancellationToken cancellationToken = default)
    {
        caller.RequireUserId();
        await store.WriteAsync(async db =>
        {
            var now = time.NowMs();
            var result = new List<(ChannelRow, ChannelDto)>();
            var pending = new List<(ChannelRow Channel, MemberRow Member)>();
            foreach (var id in channelIds)
            {
                var c = await db.RequireChannelAsync(caller.AppId, id, cancellationToken);
                var m = await db.RequireMemberAsync(caller, id, cancellationToken);
                pending.Add((c, m!));
            }
            foreach (var (c, m) in pending)
            {
                m.ReadMessageId = c.LastMessageId;
                m.ReadAt = now;
            }
            await db.SaveChangesAsync(cancellationToken);
            foreach (var (c, _) in pending) result.Add((c, await WithReceiptsAsync(db, c, cancellationToken)));
            return result;
        }, payloads => payloads.Select(p =>
            ChannelEvents.ToChannel(caller.AppId, p.Item1, EventCategories.ChannelMessageReadEvent,
                channelPayload: p.Item2)).ToList(), events, cancellationToken);
    }

    public async Task MarkDeliveredAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default)
    {
        caller.RequireUserId();
        await store.WriteAsync(async db =>
        {
            var c = await db.RequireChannelAsync(caller.AppId, channelId, cancellationToken);
            var m = (await db.RequireMemberAsync(caller, channelId, cancellationToken))!;
            m.DeliveredAt = time.NowMs();
            await db.SaveChangesAsync(cancellationToken);
            return (c, await WithReceiptsAsync(db, c, cancellationToken));
        }, delivered => [ChannelEvents.ToChannel(caller.AppId, delivered.c, EventCategories.ChannelMessageDeliveredEvent,
            channelPayload: delivered.Item2)], events, cancellationToken);
    }

    /// <summary>The channel with receipts and unread counts, as read/delivered events carry it.</summary>
    private static async Task<ChannelDto> WithReceiptsAsync(ChatDbContext db, ChannelRow channel, CancellationToken ct)
    {
        var ms = await db.Members.Where(m => m.AppId == channel.AppId && m.ChannelId == channel.ChannelId).ToListAsync(ct);
        var unread = await ChannelService.UnreadAsync(db, channel.AppId, [channel.ChannelId], ct);
        return ChannelService.ToDto(channel) with
        {
            ReadReceipt = ms.ToDictionary(m => m.UserId, m => m.ReadAt),
            DeliveryReceipt = ms.ToDictionary(m => m.UserId, m => m.DeliveredAt),
            Unread = unread.GetValueOrDefault(channel.ChannelId) ?? new(),
        };
    }
}
