namespace GitpleLive.Server.Services;

/// <summary>
/// The questions the realtime layer asks the chat domain: who may connect and what they may hear.
/// Always answered from current state (no caching of rights), so ACL checks follow membership.
/// </summary>
public interface IChatAccess
{
    /// <summary>The app, or null when no such app exists.</summary>
    ValueTask<AppInfo?> FindAppAsync(string appId, CancellationToken cancellationToken = default);

    /// <summary>True when <paramref name="token"/> is a valid, unexpired SDK token of that user in that app and the user exists.</summary>
    ValueTask<bool> ValidateSdkTokenAsync(string appId, string userId, string token, CancellationToken cancellationToken = default);

    ValueTask<bool> IsMemberAsync(string appId, string channelId, string userId, CancellationToken cancellationToken = default);

    ValueTask<bool> IsManagerAsync(string appId, string channelId, string userId, CancellationToken cancellationToken = default);
}
