namespace GitpleLive.Chat;

/// <summary>A ban of a user from a channel (PROTOCOL §3 <c>Ban</c>).</summary>
public sealed record Ban
{
    /// <summary>The banned user.</summary>
    public User User { get; init; } = new();

    /// <summary>Start of the ban, Unix milliseconds.</summary>
    public long StartAt { get; init; }

    /// <summary>End of the ban, Unix milliseconds; the user may join again afterwards.</summary>
    public long EndAt { get; init; }

    /// <summary>Why the user was banned, if given.</summary>
    public string? Reason { get; init; }
}
