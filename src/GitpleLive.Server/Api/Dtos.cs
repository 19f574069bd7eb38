namespace GitpleLive.Server.Api;

// Wire objects of PROTOCOL §3. Null properties are omitted from JSON.

public sealed record UserDto(
    string UserId, string Name, string? ProfileUrl, IReadOnlyDictionary<string, string>? Meta,
    long CreatedAt, long UpdatedAt, long? JoinedAt = null);

public sealed record ChannelDto
{
    public required string ChannelId { get; init; }
    public required string Type { get; init; }
    public required string Name { get; init; }
    public bool Freeze { get; init; }
    public string? ProfileUrl { get; init; }
    public IReadOnlyDictionary<string, string>? Meta { get; init; }
    public long TotalMessageCount { get; init; }
    public long TotalFileCount { get; init; }
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }
    public IReadOnlyList<UserDto>? Members { get; init; }
    public IReadOnlyList<UserDto>? Managers { get; init; }
    public IReadOnlyDictionary<string, long>? Unread { get; init; }
    public IReadOnlyDictionary<string, long>? ReadReceipt { get; init; }
    public IReadOnlyDictionary<string, long>? DeliveryReceipt { get; init; }
    public MessageDto? LastMessage { get; init; }
    /// <summary>Open channels: how many users are in it now (in REST answers; events leave it out).</summary>
    public long? ParticipantCount { get; init; }
}

public sealed record FileDto(string Type, string Name, string Url, long Size);

public sealed record FilterDto(string OriginContent, IReadOnlyList<string> Type);

/// <summary>
/// A message. The PROTOCOL §10 fields at the end are omitted when empty (never null, never 0 for <c>reply_count</c>,
/// never <c>[]</c>), so the official SDKs' strict decoders see exactly what they saw before.
/// </summary>
public sealed record MessageDto(
    long MessageId, string ChannelId, string Type, UserDto User, string? Content, FileDto? File,
    IReadOnlyDictionary<string, string>? Meta, FilterDto? Filter, long CreatedAt, long UpdatedAt,
    long? EditedAt = null, long? ParentMessageId = null, int? ReplyCount = null, long? LastReplyAt = null,
    IReadOnlyList<string>? MentionedUserIds = null, IReadOnlyList<ReactionDto>? Reactions = null);

/// <summary>One reaction key of a message: how many reacted with it and the first of them.</summary>
public sealed record ReactionDto(string Key, int Count, IReadOnlyList<string> UserIds);

public sealed record BanDto(UserDto User, long StartAt, long EndAt, string? Reason);

public sealed record ReportDto(
    string ReportId, string ReportType, string ReportCategory, UserDto ReportingUser, string? Reason,
    UserDto? User, ChannelDto? Channel, MessageDto? Message, long CreatedAt, long UpdatedAt);

public sealed record TokenDto(string Token, long ExpiresAt);

public sealed record ChannelPage(IReadOnlyList<ChannelDto> Channels, string? Next);

public sealed record MessagePage(IReadOnlyList<MessageDto> Messages);

public sealed record ReportPage(IReadOnlyList<ReportDto> Reports, string? Next);

public sealed record UserPage(IReadOnlyList<UserDto> Users, string? Next);

public sealed record OpenChannelPage(IReadOnlyList<ChannelDto> Channels, string? Next);

public sealed record ParticipantPage(IReadOnlyList<UserDto> Participants, string? Next);
