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
