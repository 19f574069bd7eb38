namespace GitpleLive.Chat;

/// <summary>One page of group channels.</summary>
public sealed record GroupChannelPage
{
    /// <summary>The channels of this page.</summary>
    public IReadOnlyList<GroupChannel> Channels { get; init; } = [];

    /// <summary>The cursor of the next page (pass it as <see cref="GroupChannelQuery.Next"/>); <see langword="null"/> or empty on the last
    /// page.</summary>
    public string? Next { get; init; }
}

/// <summary>One page of messages, ascending by <see cref="Message.MessageId"/>.</summary>
public sealed record MessagePage
{
    /// <summary>The messages, oldest first.</summary>
    public IReadOnlyList<Message> Messages { get; init; } = [];
}

/// <summary>One page of reports.</summary>
public sealed record ReportPage
{
    /// <summary>The reports of this page.</summary>
    public IReadOnlyList<Report> Reports { get; init; } = [];

    /// <summary>The cursor of the next page (pass it as <see cref="ReportQuery.Next"/>); <see langword="null"/> or empty on the last
    /// page.</summary>
    public string? Next { get; init; }
}
