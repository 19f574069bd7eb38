namespace GitpleLive.Server.Storage;

// Rows of the chat store. Times are Unix milliseconds; meta maps are JSON text so that every
// provider stores them the same way.

public sealed class AppRow
{
    public required string AppId { get; set; }
    public required string Name { get; set; }
    public required string ApiKey { get; set; }
    /// <summary>Base64 HMAC secret that signs this app's tokens.</summary>
    public required string TokenSecret { get; set; }
    public bool AllowTokenless { get; set; }
    public int MaxMembersPerChannel { get; set; } = AppLimits.DefaultMaxMembers;
    public int MaxManagersPerChannel { get; set; } = AppLimits.DefaultMaxManagers;
    public long MaxFileSize { get; set; } = AppLimits.DefaultMaxFileSize;
    public int MaxMetaKeys { get; set; } = AppLimits.DefaultMaxMetaKeys;
    /// <summary><c>off</c> (default), <c>block</c> (refuse with 1020) or <c>mask</c> (replace with <c>*</c>).</summary>
    public string ProfanityMode { get; set; } = "off";
    /// <summary>The words the profanity filter looks for, one per line.</summary>
    public string? ProfanityWords { get; set; }
    /// <summary>The app's rate limit overrides, <c>name=value;…</c> (<c>RateLimitOptions.Names</c>); null: the defaults.</summary>
    public string? RateLimits { get; set; }
    public long CreatedAt { get; set; }
    /// <summary>How many users may be in one open channel at once (enter answers 1010 beyond it).</summary>
    public int MaxParticipantsPerOpenChannel { get; set; } = AppLimits.DefaultMaxParticipants;
}

public static class AppLimits
{
    public const int DefaultMaxMembers = 100;
    public const int DefaultMaxManagers = 10;
    public const long DefaultMaxFileSize = 25L * 1024 * 1024;
    public const int DefaultMaxMetaKeys = 20;
    public const int DefaultMaxParticipants = 20_000;
}

public sealed class UserRow
{
    public required string AppId { get; set; }
    public required string UserId { get; set; }
    public required string Name { get; set; }
    public string? ProfileUrl { get; set; }
    public string? Meta { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    /// <summary>Session tokens issued at or before this time (ms), and SDK tokens minted from them, are revoked; 0: none.</summary>
    public long SessionsRevokedAt { get; set; }
}

public sealed class ChannelRow
{
    public required string AppId { get; set; }
    public required string ChannelId { get; set; }
    public string Type { get; set; } = "group";
    public required string Name { get; set; }
    public string? ProfileUrl { get; set; }
    public string? Meta { get; set; }
    public bool Freeze { get; set; }
    public long TotalMessageCount { get; set; }
    public long TotalFileCount { get; set; }
    /// <summary>Id of the newest message still in the channel, 0 when none.</summary>
    public long LastMessageId { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>
/// Membership with the member's read and delivery positions: unread counts derive from them, so a
/// send writes no per-member row.
/// </summary>
public sealed class MemberRow
{
    public required string AppId { get; set; }
    public required string ChannelId { get; set; }
    public required string UserId { get; set; }
    public bool IsManager { get; set; }
    public long JoinedAt { get; set; }
    /// <summary>Last message id the member has read (messages above it, from others, are unread).</summary>
    public long ReadMessageId { get; set; }
    public long ReadAt { get; set; }
    public long DeliveredAt { get; set; }
    /// <summary>The member's push preference for the channel: <c>mentions</c> or <c>off</c>; null means <c>all</c>.</summary>
    public string? PushPreference { get; set; }
}

public sealed class MessageRow
{
    /// <summary>Unique within the app (in fact within the store), increasing within a channel.</summary>
    public long MessageId { get; set; }
    public required string AppId { get; set; }
    public required string ChannelId { get; set; }
    public required string Type { get; set; }
    public required string UserId { get; set; }
    public string? Content { get; set; }
    public string? FileName { get; set; }
    public string? FileType { get; set; }
    public long? FileSize { get; set; }
    public string? FileKey { get; set; }
    public string? Meta { get; set; }
    /// <summary>The content as sent, when the profanity filter masked it.</summary>
    public string? FilterOriginContent { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    /// <summary>When the content was last edited (PROTOCOL §10); null when never.</summary>
    public long? EditedAt { get; set; }
    /// <summary>The thread this message replies to (one level: a parent is never itself a reply); null for a top-level message.</summary>
    public long? ParentMessageId { get; set; }
    /// <summary>How many replies this message has (kept in each reply's send transaction).</summary>
    public int ReplyCount { get; set; }
    /// <summary>When the newest reply was sent; null when there is none.</summary>
    public long? LastReplyAt { get; set; }
    /// <summary>The mentioned members, a JSON array of user ids; null when none.</summary>
    public string? MentionedUserIds { get; set; }
}

public sealed class BanRow
{
    public required string AppId { get; set; }
    public required string ChannelId { get; set; }
    public required string UserId { get; set; }
    public long StartAt { get; set; }
    public long EndAt { get; set; }
    public string? Reason { get; set; }
}

public sealed class ReportRow
{
    public required string ReportId { get; set; }
    public required string AppId { get; set; }
    public required string ReportType { get; set; }
    public required string ReportCategory { get; set; }
    public required string ReportingUserId { get; set; }
    public string? Reason { get; set; }
    public string? TargetUserId { get; set; }
    public string? ChannelId { get; set; }
    public long? MessageId { get; set; }
    /// <summary>JSON snapshots of the reported objects as they were when reported.</summary>
    public string? UserSnapshot { get; set; }
    public string? ChannelSnapshot { get; set; }
    public string? MessageSnapshot { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>
/// A push token of one device of one user (PROTOCOL §9): one row per device (the client id's last part), and a token
/// belongs to one user only: registering it for another user replaces the old row.
/// </summary>
public sealed class DeviceTokenRow
{
    public required string AppId { get; set; }
    /// <summary>The device's stable id: the last <c>::</c> part of the MQTT client id (the whole id when it has no parts).</summary>
    public required string DeviceId { get; set; }
    public required string UserId { get; set; }
    public required string Token { get; set; }
    /// <summary><c>android</c>, <c>ios</c>, <c>web</c> or <c>unknown</c>: the client id's second-to-last part.</summary>
    public required string Platform { get; set; }
    /// <summary>The full client id the token was registered with.</summary>
    public required string ClientId { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>
/// One user's reaction with one key to one message (PROTOCOL §10): unique per (message, key, user), so adding it twice
/// changes nothing. Messages carry the aggregate (<c>reactions: [{ key, count, user_ids }]</c>), built from these rows.
/// </summary>
public sealed class ReactionRow
{
    public required string AppId { get; set; }
    public long MessageId { get; set; }
    /// <summary>An emoji or a short name, at most <see cref="Limits.ReactionKeyLength"/> characters.</summary>
    public required string Key { get; set; }
    public required string UserId { get; set; }
    public long CreatedAt { get; set; }
}
