using System.Text.Json.Serialization;

namespace GitpleLive.Platform;

/// <summary>A chat user.</summary>
/// <param name="UserId">The user's id.</param>
/// <param name="Name">Display name.</param>
/// <param name="ProfileUrl">Profile picture URL, if any.</param>
/// <param name="Meta">Custom string values, if any.</param>
/// <param name="CreatedAt">Creation time, Unix ms.</param>
/// <param name="UpdatedAt">Last change, Unix ms.</param>
/// <param name="JoinedAt">When the user joined the channel (member lists only), Unix ms.</param>
public sealed record PlatformUser(
    string UserId, string Name, string? ProfileUrl, IReadOnlyDictionary<string, string>? Meta,
    long CreatedAt, long UpdatedAt, long? JoinedAt = null);

/// <summary>A group channel.</summary>
/// <param name="ChannelId">The channel's id.</param>
/// <param name="Type">Channel type (<c>group</c>).</param>
/// <param name="Name">Display name.</param>
/// <param name="Freeze">Whether only managers may send.</param>
/// <param name="ProfileUrl">Picture URL, if any.</param>
/// <param name="Meta">Custom string values, if any.</param>
/// <param name="TotalMessageCount">Messages in the channel.</param>
/// <param name="TotalFileCount">File messages in the channel.</param>
/// <param name="CreatedAt">Creation time, Unix ms.</param>
/// <param name="UpdatedAt">Last change, Unix ms.</param>
/// <param name="Members">Members, when asked for.</param>
/// <param name="Managers">Managers, when asked for.</param>
public sealed record PlatformChannel(
    string ChannelId, string Type, string Name, bool Freeze, string? ProfileUrl, IReadOnlyDictionary<string, string>? Meta,
    long TotalMessageCount, long TotalFileCount, long CreatedAt, long UpdatedAt,
    IReadOnlyList<PlatformUser>? Members = null, IReadOnlyList<PlatformUser>? Managers = null);

/// <summary>An uploaded file of a message.</summary>
/// <param name="Type">MIME type.</param>
/// <param name="Name">File name.</param>
/// <param name="Url">Signed, expiring download link.</param>
/// <param name="Size">Size in bytes.</param>
public sealed record PlatformFile(string Type, string Name, string Url, long Size);

/// <summary>A message.</summary>
/// <param name="MessageId">Id, increasing within the channel.</param>
/// <param name="ChannelId">The channel.</param>
/// <param name="Type"><c>text</c> or <c>file</c>.</param>
/// <param name="User">The sender.</param>
/// <param name="Content">Text, for text messages.</param>
/// <param name="File">The file, for file messages.</param>
/// <param name="Meta">Custom string values, if any.</param>
/// <param name="CreatedAt">Send time, Unix ms.</param>
/// <param name="UpdatedAt">Last change, Unix ms.</param>
public sealed record PlatformMessage(
    long MessageId, string ChannelId, string Type, PlatformUser User, string? Content, PlatformFile? File,
    IReadOnlyDictionary<string, string>? Meta, long CreatedAt, long UpdatedAt)
{
    /// <summary>When the text was last edited, Unix ms; null when never.</summary>
    public long? EditedAt { get; init; }
    /// <summary>The message this one replies to; null for a top-level message.</summary>
    public long? ParentMessageId { get; init; }
    /// <summary>How many replies this message has.</summary>
    public int ReplyCount { get; init; }
    /// <summary>When the newest reply was sent, Unix ms; null when none.</summary>
    public long? LastReplyAt { get; init; }
    /// <summary>The mentioned members, if any.</summary>
    public IReadOnlyList<string>? MentionedUserIds { get; init; }
    /// <summary>The reactions, per key in the order the keys were first used; null when none.</summary>
    public IReadOnlyList<PlatformReaction>? Reactions { get; init; }
}

/// <summary>One reaction key of a message.</summary>
/// <param name="Key">An emoji or a short name.</param>
/// <param name="Count">How many users reacted with it.</param>
/// <param name="UserIds">The first of them (at most 20).</param>
public sealed record PlatformReaction(string Key, int Count, IReadOnlyList<string> UserIds);

/// <summary>What a message may carry besides its text: custom data, the thread it replies to, the members it mentions.</summary>
public sealed record PlatformSendOptions
{
    /// <summary>Custom string values.</summary>
    public IReadOnlyDictionary<string, string>? Meta { get; init; }
    /// <summary>The top-level message of the same channel this one replies to.</summary>
    public long? ParentMessageId { get; init; }
    /// <summary>Members of the channel to mention (at most 50).</summary>
    public IReadOnlyList<string>? MentionedUserIds { get; init; }
}

/// <summary>An active ban.</summary>
/// <param name="User">The banned user.</param>
/// <param name="StartAt">Start, Unix ms.</param>
/// <param name="EndAt">End, Unix ms.</param>
/// <param name="Reason">Why, if given.</param>
public sealed record PlatformBan(PlatformUser User, long StartAt, long EndAt, string? Reason);

/// <summary>A session token for a user, to hand to a client SDK.</summary>
/// <param name="Token">The JWT.</param>
/// <param name="ExpiresAt">Expiry, Unix ms.</param>
public sealed record SessionToken(string Token, long ExpiresAt);

/// <summary>An app's settings and limits.</summary>
/// <param name="AppId">The app id.</param>
/// <param name="Name">The app's name.</param>
/// <param name="AllowTokenless">Whether users may connect without a token.</param>
/// <param name="MaxMembersPerChannel">Member limit per channel.</param>
/// <param name="MaxManagersPerChannel">Manager limit per channel.</param>
/// <param name="MaxFileSize">Largest file, bytes.</param>
/// <param name="MaxMetaKeys">Most meta keys per object.</param>
/// <param name="ProfanityMode"><c>off</c>, <c>block</c> (refuse with 1020) or <c>mask</c> (star the words).</param>
/// <param name="ProfanityWords">The words the profanity filter looks for.</param>
public sealed record AppSettings(string AppId, string Name, bool AllowTokenless, int MaxMembersPerChannel, int MaxManagersPerChannel,
    long MaxFileSize, int MaxMetaKeys,
    string ProfanityMode, IReadOnlyList<string> ProfanityWords)
{
    /// <summary>
    /// The app's rate limit overrides by name (<c>sends_per_user</c>, <c>reads_per_app</c>, …: calls per window);
    /// limits not named here are the server's defaults.
    /// </summary>
    public IReadOnlyDictionary<string, int> RateLimits { get; init; } = new Dictionary<string, int>();
}

/// <summary>Changes to an app's settings; null leaves a setting as it is.</summary>
public sealed record AppSettingsUpdate
{
    /// <summary>New name.</summary>
    public string? Name { get; init; }
    /// <summary>Allow users to connect without a token.</summary>
    public bool? AllowTokenless { get; init; }
    /// <summary>Member limit per channel.</summary>
    public int? MaxMembersPerChannel { get; init; }
    /// <summary>Manager limit per channel.</summary>
    public int? MaxManagersPerChannel { get; init; }
    /// <summary>Largest file, bytes.</summary>
    public long? MaxFileSize { get; init; }
    /// <summary>Most meta keys per object.</summary>
    public int? MaxMetaKeys { get; init; }
    /// <summary>Profanity filter mode: <c>off</c>, <c>block</c> or <c>mask</c>.</summary>
    public string? ProfanityMode { get; init; }
    /// <summary>The words the profanity filter looks for (replaces the list; empty clears it).</summary>
    public IReadOnlyList<string>? ProfanityWords { get; init; }
    /// <summary>
    /// Rate limit overrides by name (<c>sends_per_user</c>, <c>sends_per_app</c>, <c>writes_per_user</c>, <c>writes_per_app</c>,
    /// <c>reads_per_user</c>, <c>reads_per_app</c>, <c>tokens_per_user</c>, <c>tokens_per_app</c>): calls per window, or null
    /// to return that limit to the server default. Names left out keep their value.
    /// </summary>
    public IReadOnlyDictionary<string, int?>? RateLimits { get; init; }
}

/// <summary>What a new channel starts with.</summary>
public sealed record ChannelCreateOptions
{
    /// <summary>The id (1–128 of A-Z a-z 0-9 _ - . @).</summary>
    public required string ChannelId { get; init; }
    /// <summary>Display name.</summary>
    public required string Name { get; init; }
    /// <summary>Picture URL.</summary>
    public string? ProfileUrl { get; init; }
    /// <summary>Initial members.</summary>
    public IReadOnlyList<string> Members { get; init; } = [];
    /// <summary>Initial managers (they become members too).</summary>
    public IReadOnlyList<string> Managers { get; init; } = [];
    /// <summary>Custom string values.</summary>
    public IReadOnlyDictionary<string, string>? Meta { get; init; }
    /// <summary>Return the existing channel instead of failing when the id is taken.</summary>
    public bool Reuse { get; init; }
}

internal sealed record UserPage(IReadOnlyList<PlatformUser> Users, string? Next);
internal sealed record ChannelPage(IReadOnlyList<PlatformChannel> Channels, string? Next);
internal sealed record MessagePage(IReadOnlyList<PlatformMessage> Messages);
internal sealed record ApiKeyAnswer(string AppId, string ApiKey);
internal sealed record ErrorBody(int? Code, string? Name, string? Message, int? Status, string? Path);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PlatformUser))]
[JsonSerializable(typeof(PlatformChannel))]
[JsonSerializable(typeof(PlatformMessage))]
[JsonSerializable(typeof(List<PlatformUser>))]
[JsonSerializable(typeof(List<PlatformBan>))]
[JsonSerializable(typeof(SessionToken))]
[JsonSerializable(typeof(AppSettings))]
[JsonSerializable(typeof(ApiKeyAnswer))]
[JsonSerializable(typeof(UserPage))]
[JsonSerializable(typeof(ChannelPage))]
[JsonSerializable(typeof(MessagePage))]
[JsonSerializable(typeof(PlatformBan))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(Dictionary<string, object?>))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, int?>))]
[JsonSerializable(typeof(PlatformOpenChannel))]
[JsonSerializable(typeof(OpenChannelPage))]
[JsonSerializable(typeof(ParticipantPage))]
internal sealed partial class PlatformJson : JsonSerializerContext;
