namespace GitpleLive.Server.Events;

/// <summary>
/// Who is in each open channel right now: the users who entered it and are still connected, across every node.
/// Nothing of it is stored in the database (an open channel has no member rows). In-process by default
/// (<see cref="InMemoryOpenParticipants"/>); through Redis when configured (<see cref="RedisOpenParticipants"/>).
/// A user leaves a channel by exiting, by being banned, when the channel is deleted, or when their last connection
/// (on any node) closes.
/// </summary>
public interface IOpenParticipants
{
    /// <summary>
    /// Adds the user to the channel unless it already holds <paramref name="maxParticipants"/> others. Returns the
    /// participant count after the call, or -1 when the channel is full. Entering twice is not an error.
    /// </summary>
    ValueTask<long> EnterAsync(string appId, string channelId, string userId, int maxParticipants,
        CancellationToken cancellationToken = default);

    /// <summary>Removes the user from the channel; false when they were not in it.</summary>
    ValueTask<bool> ExitAsync(string appId, string channelId, string userId, CancellationToken cancellationToken = default);

    /// <summary>True when the user entered the channel and is connected now.</summary>
    ValueTask<bool> IsParticipantAsync(string appId, string channelId, string userId, CancellationToken cancellationToken = default);

    /// <summary>How many users are in each of <paramref name="channelIds"/> (0 for a channel nobody entered).</summary>
    ValueTask<IReadOnlyDictionary<string, long>> CountsAsync(string appId, IReadOnlyCollection<string> channelIds,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="limit"/> participants in user id order after <paramref name="after"/> (exclusive; null from the
    /// start), and whether more follow.
    /// </summary>
    ValueTask<(IReadOnlyList<string> UserIds, bool More)> PageAsync(string appId, string channelId, string? after, int limit,
        CancellationToken cancellationToken = default);

    /// <summary>The open channels the user is in.</summary>
    ValueTask<IReadOnlyList<string>> ChannelsOfAsync(string appId, string userId, CancellationToken cancellationToken = default);

    /// <summary>Forgets the channel's participants (the channel was deleted).</summary>
    ValueTask RemoveChannelAsync(string appId, string channelId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The user's last connection on this node has closed: when they are connected nowhere else, they leave every open
    /// channel. Called by the realtime layer; never throws.
    /// </summary>
    ValueTask LastLocalConnectionClosedAsync(string appId, string userId, CancellationToken cancellationToken = default);
}
