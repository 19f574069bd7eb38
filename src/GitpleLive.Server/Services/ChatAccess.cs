namespace GitpleLive.Server.Services;

/// <summary>Answers the realtime layer's questions from the store.</summary>
public sealed class ChatAccess(ChatStore store, AppService apps, TokenService tokens) : IChatAccess
{
    public async ValueTask<AppInfo?> FindAppAsync(string appId, CancellationToken cancellationToken = default) =>
        await apps.FindAsync(appId, cancellationToken) is { } app ? new AppInfo(app.AppId, app.AllowTokenless) : null;

    public async ValueTask<bool> ValidateSdkTokenAsync(string appId, string userId, string token,
        CancellationToken cancellationToken = default)
    {
        var app = await apps.FindAsync(appId, cancellationToken);
        return app is not null && await tokens.IsConnectableSdkTokenAsync(app, userId, token, cancellationToken);
    }

    public async ValueTask<bool> IsMemberAsync(string appId, string channelType, string channelId, string userId,
        CancellationToken cancellationToken = default) =>
        await store.ReadAsync(db => Memberships(db, appId, userId)
            .AnyAsync(x => x.Channel.ChannelId == channelId && x.Channel.Type == channelType, cancellationToken), cancellationToken);

    public async ValueTask<bool> IsManagerAsync(string appId, string channelType, string channelId, string userId,
        CancellationToken cancellationToken = default) =>
        await store.ReadAsync(db => Memberships(db, appId, userId)
            .AnyAsync(x => x.Channel.ChannelId == channelId && x.Channel.Type == channelType && x.Member.IsManager, cancellationToken),
            cancellationToken);

    public async ValueTask<IReadOnlyList<ChannelRight>> ChannelRightsAsync(string appId, string userId,
        CancellationToken cancellationToken = default) =>
        await store.ReadAsync(async db => (IReadOnlyList<ChannelRight>)await Memberships(db, appId, userId)
            .Select(x => new ChannelRight(x.Channel.Type, x.Channel.ChannelId, x.Member.IsManager))
            .ToListAsync(cancellationToken), cancellationToken);

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
