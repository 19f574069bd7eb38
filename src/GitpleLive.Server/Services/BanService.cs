namespace GitpleLive.Server.Services;

/// <summary>Channel bans: a banned user leaves the channel and cannot join until the ban ends.</summary>
public sealed class BanService(ChatStore store, IEventPublisher events, TimeProvider time) : IChannelBans
{
    /// <summary>The end of a permanent ban (9999-12-31T23:59:59.999Z): exact as a JSON number in every client.</summary>
    public const long PermanentEndAt = 253_402_300_799_999;

    public static BanDto ToDto(BanRow b, UserRow u) => new(UserService.ToDto(u), b.StartAt, b.EndAt, b.Reason);

    /// <summary>
    /// Bans a user for <paramref name="seconds"/> (null: permanently, until <see cref="PermanentEndAt"/>): they leave
    /// the channel (hearing <c>group:channel_ban</c> first) and cannot join until the ban ends. Self 1018, a manager 1017.
    /// </summary>
    public async Task<BanDto> BanAsync(ChatCaller caller, string channelId, string userId, long? seconds, string? reason,
        CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        if (caller.UserId == userId) throw ApiException.Invalid(ErrorCodes.CannotBanYourself, "user_id: you cannot ban yourself");
        var (_, ban, _) = await store.WriteAsync(async db =>
        {
            var c = await db.RequireChannelAsync(appId, channelId, cancellationToken);
            await db.RequireManagerAsync(caller, channelId, cancellationToken);
            var user = await db.RequireUserAsync(appId, userId, cancellationToken);
            var member = await db.FindMemberAsync(appId, channelId, userId, cancellationToken);
            if (member is { IsManager: true } && !caller.IsPlatform)
                throw ApiException.Forbidden(ErrorCodes.ManagersCannotBanEachOther,
                    $"user '{userId}' is a manager; managers cannot ban each other");
            var now = time.NowMs();
            var row = await db.Bans.FirstOrDefaultAsync(b => b.AppId == appId && b.ChannelId == channelId && b.UserId == userId,
                cancellationToken);
            if (row is null)
            {
                row = new BanRow { AppId = appId, ChannelId = channelId, UserId = userId };
                db.Bans.Add(row);
            }
            row.StartAt = now;
            row.EndAt = seconds is { } s ? now + s * 1000 : PermanentEndAt;
            row.Reason = reason;
            if (member is not null) db.Members.Remove(member);
            c.UpdatedAt = now;
            return (c, ToDto(row, user), member is not null);
        }, banned => [ChannelEvents.ToChannel(appId, banned.c, EventCategories.ChannelBan, user: banned.Item2.User, data: banned.Item2,
            cuts: banned.Item3 ? [new SubscriptionCut(userId, banned.c.Type, channelId, ManagerOnly: false)] : null)],
            events, cancellationToken);
        return ban;
    }

    public async Task UnbanAsync(ChatCaller caller, string channelId, string userId, CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        await store.WriteAsync(async db =>
        {
            var c = await db.RequireChannelAsync(appId, channelId, cancellationToken);
            await db.RequireManagerAsync(caller, channelId, cancellationToken);
            var u = await db.RequireUserAsync(appId, userId, cancellationToken);
            var now = time.NowMs();
            var row = await db.Bans.FirstOrDefaultAsync(
                    b => b.AppId == appId && b.ChannelId == channelId && b.UserId == userId && b.EndAt > now, cancellationToken)
                ?? throw ApiException.NotFound(ErrorCodes.ResourceNotFound, $"user '{userId}' is not banned from channel '{channelId}'");
            db.Bans.Remove(row);
            return (c, UserService.ToDto(u));
        }, unbanned => [ChannelEvents.ToChannel(appId, unbanned.c, EventCategories.ChannelUnban, user: unbanned.Item2)], events,
            cancellationToken);
    }

    public Task<List<BanDto>> BannedAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        return store.ReadAsync(async db =>
        {
            await db.RequireChannelAsync(appId, channelId, cancellationToken);
            await db.RequireManagerAsync(caller, channelId, cancellationToken);
            var now = time.NowMs();
            var rows = await (from b in db.Bans
                              join u in db.Users on new { b.AppId, b.UserId } equals new { u.AppId, u.UserId }
                              where b.AppId == appId && b.ChannelId == channelId && b.EndAt > now
                              orderby b.StartAt
                              select new { b, u }).ToListAsync(cancellationToken);
            return rows.Select(x => ToDto(x.b, x.u)).ToList();
        }, cancellationToken);
    }
}
