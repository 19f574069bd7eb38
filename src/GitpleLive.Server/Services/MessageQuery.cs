namespace GitpleLive.Server.Services;

/// <summary>Message list parameters (PROTOCOL §5.3).</summary>
public sealed record MessageQuery
{
    public int Limit { get; init; } = 20;
    public bool Next { get; init; }
    public long? BaseMessageId { get; init; }
    public string? Type { get; init; }
    public string? Content { get; init; }
    /// <summary>The words of <see cref="Content"/> the full-text index looks for; null without a content filter.</summary>
    public SearchTerms? ContentTerms => Content is null ? null : _contentTerms ??= SearchTerms.Parse("content", Content);
    private SearchTerms? _contentTerms;
}
