namespace GitpleLive.Chat;

/// <summary>A message in a channel (PROTOCOL §3 <c>Message</c>).</summary>
public sealed record Message
{
    /// <summary>The message id: positive, strictly increasing within a channel, unique within the app.</summary>
    public long MessageId { get; init; }

    /// <summary>The id of the channel the message belongs to.</summary>
    public string ChannelId { get; init; } = "";

    /// <summary>The message type: <c>text</c> or <c>file</c>.</summary>
    public string Type { get; init; } = "text";

    /// <summary>The sender.</summary>
    public User User { get; init; } = new();

    /// <summary>The text of a text message.</summary>
    public string? Content { get; init; }

    /// <summary>The attachment of a file message.</summary>
    public MessageFile? File { get; init; }

    /// <summary>Custom string key/value data, if any.</summary>
    public IReadOnlyDictionary<string, string>? Meta { get; init; }

    /// <summary>Present when the server filtered the content (for example, profanity).</summary>
    public MessageFilter? Filter { get; init; }

    /// <summary>Creation time, Unix milliseconds.</summary>
    public long CreatedAt { get; init; }

    /// <summary>Last update time, Unix milliseconds.</summary>
    public long UpdatedAt { get; init; }

    /// <summary>When the text was last edited, Unix milliseconds; <see langword="null"/> when never (an extension).</summary>
    public long? EditedAt { get; init; }

    /// <summary>The message this one replies to (threads are one level deep); <see langword="null"/> for a top-level message.</summary>
    public long? ParentMessageId { get; init; }

    /// <summary>How many replies this message has (0 when none or when the server does not keep threads).</summary>
    public int ReplyCount { get; init; }

    /// <summary>When the newest reply was sent, Unix milliseconds; <see langword="null"/> when there is none.</summary>
    public long? LastReplyAt { get; init; }

    /// <summary>The members the message mentions, if any.</summary>
    public IReadOnlyList<string>? MentionedUserIds { get; init; }

    /// <summary>The reactions, one entry per key in the order the keys were first used; <see langword="null"/> when none.</summary>
    public IReadOnlyList<Reaction>? Reactions { get; init; }
}

/// <summary>One reaction key of a message and who reacted with it.</summary>
public sealed record Reaction
{
    /// <summary>The key: an emoji or a short name.</summary>
    public string Key { get; init; } = "";

    /// <summary>How many users reacted with it.</summary>
    public int Count { get; init; }

    /// <summary>The first users who reacted with it (at most 20; <see cref="Count"/> has them all).</summary>
    public IReadOnlyList<string> UserIds { get; init; } = [];
}

/// <summary>The attachment of a file message.</summary>
public sealed record MessageFile
{
    /// <summary>The MIME type, for example <c>image/png</c>.</summary>
    public string Type { get; init; } = "";

    /// <summary>The file name.</summary>
    public string Name { get; init; } = "";

    /// <summary>An absolute URL carrying its own expiring grant; a plain GET loads it without headers.</summary>
    public string Url { get; init; } = "";

    /// <summary>The size in bytes.</summary>
    public long Size { get; init; }
}

/// <summary>What the server's content filter did to a message.</summary>
public sealed record MessageFilter
{
    /// <summary>The content as sent, before filtering.</summary>
    public string? OriginContent { get; init; }

    /// <summary>The filters that applied, for example <c>profanity</c>.</summary>
    public IReadOnlyList<string>? Type { get; init; }
}
