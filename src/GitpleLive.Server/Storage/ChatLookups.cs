namespace GitpleLive.Server.Storage;

/// <summary>The lookups every service makes, each with the protocol's refusal when it fails.</summary>
public static class ChatLookups
{
    /// <summary>The group channel, or 1003 (an open channel of that id is not one: the group routes never see them).</summary>
    public static async Task<ChannelRow> RequireChannelAsync(
        this ChatDbContext db, string appId, string channelId, CancellationToken cancellationToken = default) =>
        await db.Channels.FirstOrDefaultAsync(c => c.AppId == appId && c.ChannelId == channelId && c.Type == ChannelService.GroupType,
            cancellationToken)
        ?? throw ApiException.NotFound(ErrorCodes.ChannelNotFound, $"channel '{channelId}' not found");

    public static async Task<MemberRow?> FindMemberAsync(
        this ChatDbContext db, string appId, string channelId, string userId, CancellationToken cancellationToken = default) =>
        await db.Members.FirstOrDefaultAsync(m => m.AppId == appId && m.ChannelId == channelId && m.UserId == userId, cancellationToken);

    /// <summary>The caller's membership (1008 when not a member); null for the Platform API.</summary>
    public static async Task<MemberRow?> RequireMemberAsync(
        this ChatDbContext db, ChatCaller caller, string channelId, CancellationToken cancellationToken = default)
    {
        if (caller.IsPlatform) return null;
        return await db.FindMemberAsync(caller.AppId, channelId, caller.UserId!, cancellationToken)
            ?? throw ApiException.Forbidden(ErrorCodes.NotJoined, $"user '{caller.UserId}' is not a member of channel '{channelId}'");
    }

    /// <summary>3001 unless the caller manages the channel (the Platform API always passes).</summary>
    public static async Task RequireManagerAsync(this ChatDbContext db, ChatCaller caller, string channelId,
        CancellationToken cancellationToken = default)
    {
        if (caller.IsPlatform) return;
        var m = await db.FindMemberAsync(caller.AppId, channelId, caller.UserId!, cancellationToken);
        if (m is not { IsManager: true })
            throw ApiException.Forbidden(ErrorCodes.NoPermission, $"user '{caller.UserId}' is not a manager of channel '{channelId}'");
    }

    /// <summary>The user, or 1004.</summary>
    public static async Task<UserRow> RequireUserAsync(this ChatDbContext db, string appId, string userId,
        CancellationToken cancellationToken = default) =>
        await db.Users.FirstOrDefaultAsync(u => u.AppId == appId && u.UserId == userId, cancellationToken)
        ?? throw ApiException.NotFound(ErrorCodes.UserNotFound, $"user '{userId}' not found");

    /// <summary>
    /// On PostgreSQL, takes the channel's row lock until the transaction ends (writes of one channel from several nodes
    /// then run one after the other); on SQLite nothing (the store has one writer).
    /// </summary>
    public static async Task LockChannelAsync(this ChatDbContext db, string appId, string channelId,
        CancellationToken cancellationToken = default)
    {
        if (db.Database.IsSqlite()) return;
        await db.Database.ExecuteSqlAsync(
            $"SELECT 1 FROM channels WHERE \"AppId\" = {appId} AND \"ChannelId\" = {channelId} FOR UPDATE", cancellationToken);
    }
}
