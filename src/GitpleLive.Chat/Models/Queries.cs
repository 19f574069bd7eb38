namespace GitpleLive.Chat;

/// <summary>Filters and paging of a group channel list (the seed's <c>GroupChannelFindParams</c>).</summary>
public sealed record GroupChannelQuery
{
    /// <summary>Page size; the server's default is 20 and its maximum 100.</summary>
    public int? Limit { get; init; }

    /// <summary>Include <see cref="GroupChannel.Members"/>. Default <see langword="false"/>.</summary>
    public bool ShowMembers { get; init; }

    /// <summary>Include <see cref="GroupChannel.Managers"/>. Default <see langword="false"/>.</summary>
    public bool ShowManagers { get; init; }

    /// <summary>Include <see cref="GroupChannel.ReadReceipt"/>. Default <see langword="false"/>.</summary>
    public bool ShowReadReceipt { get; init; }

    /// <summary>Include <see cref="GroupChannel.DeliveryReceipt"/>. Default <see langword="false"/>.</summary>
    public bool ShowDeliveryReceipt { get; init; }

    /// <summary>Include <see cref="GroupChannel.Unread"/>. Default <see langword="false"/>.</summary>
    public bool ShowUnread { get; init; }

    /// <summary>Include <see cref="GroupChannel.LastMessage"/>. Default <see langword="false"/>.</summary>
    public bool ShowLastMessage { get; init; }

    /// <summary>Only channels whose name contains this text.</summary>
    public string? Name { get; init; }

    /// <summary>Only channels that have all these users as members.</summary>
    public IReadOnlyList<string>? IncludeMembers { get; init; }

    /// <summary>The cursor returned as <see cref="GroupChannelPage.Next"/> by the previous page.</summary>
    public string? Next { get; init; }
}

/// <summary>Which side of the base message a message list reads.</summary>
public enum MessageListMode
{
    /// <summary>The newest messages before the base (the newest overall without a base). The server's default.</summary>
    Prev,

    /// <summary>The oldest messages after the base.</summary>
    Next,
}

/// <summary>Filters and paging of a message list (the seed's <c>GroupChannelMessageFindParams</c>).</summary>
public sealed record MessageQuery
{
    /// <summary>Page size; the server's default is 20 and its maximum 100.</summary>
    public int? Limit { get; init; }

    /// <summary>Read before (<see cref="MessageListMode.Prev"/>, the server's default) or after the base.</summary>
    public MessageListMode? Mode { get; init; }

    /// <summary>Only messages of this type: <c>text</c> or <c>file</c>.</summary>
    public string? Type { get; init; }

    /// <summary>Only messages whose content contains this text.</summary>
    public string? Content { get; init; }

    /// <summary>The message to read from (excluded from the result).</summary>
    public long? BaseMessageId { get; init; }
}

/// <summary>Filters and paging of a channel's report list.</summary>
public sealed record ReportQuery
{
    /// <summary>Page size.</summary>
    public int? Limit { get; init; }

    /// <summary>Only reports of this type: <c>user</c>, <c>channel</c> or <c>message</c>.</summary>
    public string? ReportType { get; init; }

    /// <summary>The cursor returned as <see cref="ReportPage.Next"/> by the previous page.</summary>
    public string? Next { get; init; }
}

/// <summary>A new group channel (the seed's <c>GroupChannelCreateParams</c>).</summary>
public sealed record CreateGroupChannelOptions
{
    /// <summary>The id of the new channel.</summary>
    public required string ChannelId { get; init; }

    /// <summary>The channel's name.</summary>
    public required string Name { get; init; }

    /// <summary>The channel image URL.</summary>
    public string? ProfileUrl { get; init; }

    /// <summary>Users who join with the caller (the caller always joins and becomes manager).</summary>
    public IReadOnlyList<string>? Members { get; init; }

    /// <summary>When the id exists already: <see langword="true"/> returns that channel, otherwise the call fails with 1007.</summary>
    public bool? Reuse { get; init; }

    /// <summary>Custom string key/value data.</summary>
    public IReadOnlyDictionary<string, string>? Meta { get; init; }
}

/// <summary>A new report (PROTOCOL §5.5).</summary>
public sealed record CreateReportOptions
{
    /// <summary>What is reported: <c>user</c>, <c>channel</c> or <c>message</c>.</summary>
    public required string ReportType { get; init; }

    /// <summary>The category: <c>general</c>, <c>spam</c>, <c>profanity</c>, <c>etc</c> or <c>custom</c>.</summary>
    public string? ReportCategory { get; init; }

    /// <summary>The reporter's explanation.</summary>
    public string? Reason { get; init; }

    /// <summary>The reported user (user reports).</summary>
    public string? UserId { get; init; }

    /// <summary>The type of the channel concerned; <c>group</c> when a channel is given and this is not.</summary>
    public string? ChannelType { get; init; }

    /// <summary>The channel concerned (channel and message reports).</summary>
    public string? ChannelId { get; init; }

    /// <summary>The reported message (message reports).</summary>
    public long? MessageId { get; init; }
}

/// <summary>
/// What a message may carry besides its content (extensions the official SDKs do not send): custom data, the thread it
/// replies to, and the members it mentions.
/// </summary>
public sealed record SendMessageOptions
{
    /// <summary>Custom key/value data, if any.</summary>
    public IReadOnlyDictionary<string, string>? Meta { get; init; }

    /// <summary>The top-level message of the same channel this one replies to; a reply to a reply is refused (1001).</summary>
    public long? ParentMessageId { get; init; }

    /// <summary>Members of the channel to mention (at most 50); a non-member fails with 1008, an unknown user with 1004.</summary>
    public IReadOnlyList<string>? MentionedUserIds { get; init; }
}
