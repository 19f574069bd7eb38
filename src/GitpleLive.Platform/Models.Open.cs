namespace GitpleLive.Platform;

/// <summary>An open channel (PROTOCOL §10): public, without members; participants are whoever entered and is connected.</summary>
/// <param name="ChannelId">Id, unique among the app's channels of both kinds.</param>
/// <param name="Type">Always <c>open</c>.</param>
/// <param name="Name">Display name.</param>
/// <param name="Freeze">Frozen: only managers (and the Platform API) send.</param>
/// <param name="ProfileUrl">Picture URL, if any.</param>
/// <param name="Meta">Custom string values, if any.</param>
/// <param name="TotalMessageCount">Messages in the channel.</param>
/// <param name="CreatedAt">Creation time, Unix ms.</param>
/// <param name="UpdatedAt">Last change, Unix ms.</param>
/// <param name="ParticipantCount">Users in the channel now.</param>
public sealed record PlatformOpenChannel(
    string ChannelId, string Type, string Name, bool Freeze, string? ProfileUrl, IReadOnlyDictionary<string, string>? Meta,
    long TotalMessageCount, long CreatedAt, long UpdatedAt, long? ParticipantCount = null);

internal sealed record OpenChannelPage(IReadOnlyList<PlatformOpenChannel> Channels, string? Next);

internal sealed record ParticipantPage(IReadOnlyList<PlatformUser> Participants, string? Next);
