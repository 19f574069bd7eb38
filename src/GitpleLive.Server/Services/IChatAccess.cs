namespace GitpleLive.Server.Services;

/// <summary>
/// The questions the realtime layer asks the chat domain: who may connect and what they may hear.
/// Always answered from current state (no caching of rights), so ACL checks follow membership.
/// </summary>
public interface IChatAccess
{
    /// <summary>The app, or null when no such app exists.</summary>
    ValueTask<AppInfo?> FindAppAsync(string appId, CancellationToken cancellationToken = default);

    /// <summary>
    /// True when <paramref name="token"/> is an SDK token of that user in that app, unexpired or within the
    /// sleeping-phone grace, of a session not revoked, and the user exists.
    /// </summary>
    ValueTask<bool> ValidateSdkTokenAsync(string appId, string userId, string token, CancellationToken cancellationToken = default);

    /// <summary>True when the user is a member of the channel and the channel has that type.</summary>
    ValueTask<bool> IsMemberAsync(string appId, string channelType, string channelId, string userId,
        CancellationToken cancellationToken = default);

    /// <summary>True when the user is a manager of the channel and the channel has that type.</summary>
    ValueTask<bool> IsManagerAsync(string appId, string channelType, string channelId, string userId,
        CancellationToken cancellationToken = default);

    /// <summary>Every channel the user is a member of now, with its type and whether they manage it.</summary>
    ValueTask<IReadOnlyList<ChannelRight>> ChannelRightsAsync(string appId, string userId, CancellationToken cancellationToken = default);
}

/// <summary>A user's right to hear a channel: its <c>all</c> topic, and its <c>manager</c> topic when a manager.</summary>
public sealed record ChannelRight(string ChannelType, string ChannelId, bool IsManager);
