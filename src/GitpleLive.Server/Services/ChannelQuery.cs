namespace GitpleLive.Server.Services;

/// <summary>Channel list parameters (PROTOCOL §5.2).</summary>
public sealed record ChannelQuery
{
    public int Limit { get; init; } = 20;
    public bool ShowMembers { get; init; }
    public bool ShowManagers { get; init; }
    public bool ShowReadReceipt { get; init; }
    public bool ShowDeliveryReceipt { get; init; }
    public bool ShowUnread { get; init; }
    public bool ShowLastMessage { get; init; }
    public string? Name { get; init; }
    public IReadOnlyList<string>? IncludeMembers { get; init; }
    public string? Next { get; init; }
}
