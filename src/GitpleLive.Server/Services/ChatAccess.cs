namespace GitpleLive.Server.Services;

/// <summary>Answers the realtime layer's questions from the store.</summary>
public sealed class ChatAccess(ChatStore store, AppService apps, TokenService tokens, IOpenParticipants participants) : IChatAccess
{
    public async ValueTask<AppInfo?> FindAppAsync(string appId, CancellationToken cancellationToken = default) =>
        await apps.FindAsync(appId, cancellationToken) is { } app ? new AppInfo(app.AppId, app.AllowTokenless) : null;

    public async ValueTask<bool> ValidateSdkTokenAsync(string appId, string userId, string token,
        CancellationToken cancellationToken = default)
    {
        var app = await apps.FindAsync(appId, cancellationToken);
        return app is not null && await tokens.IsConnectableSdkTokenAsync(app, userId, token, cancellationToken);
    }

    /// <summary>For an open channel: whether the user is one of its participants now (it has no members).</summary>
    public async ValueTask<bool> IsMemberAsync(string appId, string channelType, string channelId, string userId,
        CancellationToken cancellationToken = default) =>
        channelType == OpenChannelService.OpenType
            ? await participants.IsParticipantAsync(appId, channelId, userId, cancellationToken)
            : await store.ReadAsync(db => Memberships(db, appId, userId)
            .AnyAsync(x => x.Channel.ChannelId == channelId && x.Channel.Type == channelType, cancellationToken), cancellationToken);

    public async ValueTask<bool> IsManagerAsync(string appId, string channelType, string channelId, string userId,
        CancellationToken cancellationToken = default) =>
        await store.ReadAsync(db => Memberships(db, appId, userId)
            .AnyAsync(x => x.Channel.ChannelId == channelId && x.Channel.Type == channelType && x.Member.IsManager, cancellationToken),
            cancellationToken);

    /// <summary>The memberships, and the open channels the user is in (their <c>all</c> topic only).</summary>
    public async ValueTask<IReadOnlyList<ChannelRight>> ChannelRightsAsync(string appId, string userId,
        CancellationToken cancellationToken = default)
    {
        var rights = await store.ReadAsync(async db => await Memberships(db, appId, userId)
            .Select(x => new ChannelRight(x.Channel.Type, x.Channel.ChannelId, x.Member.IsManager))
            .ToListAsync(cancellationToken), cancellationToken);
        foreach (var channelId in await participants.ChannelsOfAsync(appId, userId, cancellationToken))
            rights.Add(new ChannelRight(OpenChannelService.OpenType, channelId, IsManager: false));
        return rights;
    }

    /// <summary>The user's memberships with their channels: a filter's channel type must match the channel's own.</summary>
    private static IQueryable<Membership> Memberships(ChatDbContext db, string appId, string userId) =>
        from m in db.Members
        join c in db.Channels on new { m.AppId, m.ChannelId } equals new { c.AppId, c.ChannelId }
        where m.AppId == appId && m.UserId == userId
        select new Membership { Member = m, Channel = c };

    private sealed class Membership
    {
        public required MemberRow Member { get; init; }
        public required ChannelRow Channel { get; init; }
    }
}
