namespace GitpleLive.Chat;

/// <summary>A report about a user, channel or message (PROTOCOL §3 <c>Report</c>).</summary>
public sealed record Report
{
    /// <summary>The report's id.</summary>
    public string ReportId { get; init; } = "";

    /// <summary>What is reported: <c>user</c>, <c>channel</c> or <c>message</c>.</summary>
    public string ReportType { get; init; } = "";

    /// <summary>The category: <c>general</c>, <c>spam</c>, <c>profanity</c>, <c>etc</c> or <c>custom</c>.</summary>
    public string ReportCategory { get; init; } = "";

    /// <summary>The user who filed the report.</summary>
    public User ReportingUser { get; init; } = new();

    /// <summary>The reporter's explanation, if given.</summary>
    public string? Reason { get; init; }

    /// <summary>The reported user, for user reports.</summary>
    public User? User { get; init; }

    /// <summary>The channel concerned, if any.</summary>
    public Channel? Channel { get; init; }

    /// <summary>The reported message, for message reports.</summary>
    public Message? Message { get; init; }

    /// <summary>Creation time, Unix milliseconds.</summary>
    public long CreatedAt { get; init; }

    /// <summary>Last update time, Unix milliseconds.</summary>
    public long UpdatedAt { get; init; }
}
