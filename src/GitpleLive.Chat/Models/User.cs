namespace GitpleLive.Chat;

/// <summary>A user of the app (PROTOCOL §3 <c>User</c>).</summary>
public sealed record User
{
    /// <summary>The user's id.</summary>
    public string UserId { get; init; } = "";

    /// <summary>The display name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The profile image URL, if set.</summary>
    public string? ProfileUrl { get; init; }

    /// <summary>Custom string key/value data, if any.</summary>
    public IReadOnlyDictionary<string, string>? Meta { get; init; }

    /// <summary>Creation time, Unix milliseconds.</summary>
    public long CreatedAt { get; init; }

    /// <summary>Last update time, Unix milliseconds.</summary>
    public long UpdatedAt { get; init; }

    /// <summary>When the user joined the channel, Unix milliseconds; only in member lists.</summary>
    public long? JoinedAt { get; init; }
}
