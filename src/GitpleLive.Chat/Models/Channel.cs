namespace GitpleLive.Chat;

/// <summary>A channel (PROTOCOL §3 <c>Channel</c>).</summary>
public record Channel
{
    /// <summary>The channel's id.</summary>
    public string ChannelId { get; init; } = "";

    /// <summary>The channel type: <c>group</c> or <c>open</c>.</summary>
    public string Type { get; init; } = "group";

    /// <summary>The channel's name.</summary>
    public string Name { get; init; } = "";

    /// <summary>Whether the channel is frozen (only managers may send messages).</summary>
    public bool Freeze { get; init; }

    /// <summary>The channel image URL, if set.</summary>
    public string? ProfileUrl { get; init; }

    /// <summary>Custom string key/value data, if any.</summary>
    public IReadOnlyDictionary<string, string>? Meta { get; init; }

    /// <summary>Number of messages ever sent in the channel.</summary>
    public long TotalMessageCount { get; init; }

    /// <summary>Number of file messages ever sent in the channel.</summary>
    public long TotalFileCount { get; init; }

    /// <summary>Creation time, Unix milliseconds.</summary>
    public long CreatedAt { get; init; }

    /// <summary>Last update time, Unix milliseconds.</summary>
    public long UpdatedAt { get; init; }
}

/// <summary>
/// A group channel (PROTOCOL §3 <c>GroupChannel</c>): a <see cref="Channel"/> plus the details that
/// list queries return when asked for them (<see cref="GroupChannelQuery"/>) and that read/delivery
/// events carry.
/// </summary>
public sealed record GroupChannel : Channel
{
    /// <summary>The members; only when asked for with <see cref="GroupChannelQuery.ShowMembers"/>.</summary>
    public IReadOnlyList<User>? Members { get; init; }

    /// <summary>The managers; only when asked for with <see cref="GroupChannelQuery.ShowManagers"/>.</summary>
    public IReadOnlyList<User>? Managers { get; init; }

    /// <summary>Unread message count per user id; with <see cref="GroupChannelQuery.ShowUnread"/> and in read events.</summary>
    public IReadOnlyDictionary<string, long>? Unread { get; init; }

    /// <summary>Last read time (Unix ms) per user id; with <see cref="GroupChannelQuery.ShowReadReceipt"/> and in read events.</summary>
    public IReadOnlyDictionary<string, long>? ReadReceipt { get; init; }

    /// <summary>Last delivery time (Unix ms) per user id; with <see cref="GroupChannelQuery.ShowDeliveryReceipt"/> and in delivery
    /// events.</summary>
    public IReadOnlyDictionary<string, long>? DeliveryReceipt { get; init; }

    /// <summary>The newest message; only with <see cref="GroupChannelQuery.ShowLastMessage"/>.</summary>
    public Message? LastMessage { get; init; }
}
