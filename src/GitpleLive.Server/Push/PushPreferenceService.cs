namespace GitpleLive.Server.Push;

/// <summary>The push preference answer: <c>{ channel_id, user_id, push }</c>.</summary>
public sealed record PushPreferenceDto(string ChannelId, string UserId, string Push);

/// <summary>
/// A member's push preference for one channel (PROTOCOL §10 PUT <c>/group/channels/{id}/push</c>): the member's own over
/// the SDK, any member's over the Platform API (<c>user_id</c>). Stored on the membership, so it goes when the member does.
/// </summary>
public sealed class PushPreferenceService(ChatStore store)
{
    public Task<PushPreferenceDto> GetAsync(ChatCaller caller, string channelId, string? userId,
        CancellationToken cancellationToken = default)
    {
        var (appId, user) = Who(caller, userId);
        return store.ReadAsync(async db =>
        {
            var member = await RequireAsync(db, appId, channelId, user, cancellationToken);
            return new PushPreferenceDto(channelId, user, member.PushPreference ?? PushPreferences.All);
        }, cancellationToken);
    }

    public Task<PushPreferenceDto> SetAsync(ChatCaller caller, string channelId, string? userId, string push,
        CancellationToken cancellationToken = default)
    {
        var (appId, user) = Who(caller, userId);
        if (!PushPreferences.IsValid(push)) throw ApiException.BadRequest("push must be one of all, mentions, off");
        return store.WriteAsync(async db =>
        {
            var member = await RequireAsync(db, appId, channelId, user, cancellationToken);
            member.PushPreference = push == PushPreferences.All ? null : push;
            return new PushPreferenceDto(channelId, user, push);
        }, cancellationToken);
    }

    private static (string AppId, string UserId) Who(ChatCaller caller, string? userId)
    {
        if (caller.IsPlatform) return (caller.AppId, userId ?? throw ApiException.BadRequest("user_id is required"));
        var self = caller.RequireUserId();
        if (userId is not null && userId != self)
            throw ApiException.Forbidden(ErrorCodes.NoPermission, "only the Platform API may set another user's push preference");
        return (caller.AppId, self);
    }

    private static async Task<MemberRow> RequireAsync(ChatDbContext db, string appId, string channelId, string userId,
        CancellationToken cancellationToken)
    {
        var channel = await db.RequireChannelAsync(appId, channelId, cancellationToken);
        if (channel.Type != "group") throw ApiException.BadRequest($"channel '{channelId}' is not a group channel");
        return await db.FindMemberAsync(appId, channelId, userId, cancellationToken)
            ?? throw ApiException.Forbidden(ErrorCodes.NotJoined, $"user '{userId}' is not a member of channel '{channelId}'");
    }
}
