namespace GitpleLive.Chat;

/// <summary>A full-text message search (GET <c>/search/messages</c>) over the channels the connected user is a member of.</summary>
public sealed record MessageSearchQuery
{
    /// <summary>
    /// The words to look for (at most 256 characters, 16 words). A message matches when each word starts one of its words, in
    /// any case; punctuation, quotes and operators are plain separators, never query syntax.
    /// </summary>
    public required string Text { get; init; }

    /// <summary>Only this channel (the user must be a member); every joined channel when <see langword="null"/>.</summary>
    public string? ChannelId { get; init; }

    /// <summary>Page size; the server's default is 20 and its maximum 100.</summary>
    public int? Limit { get; init; }

    /// <summary>The cursor returned as <see cref="MessageSearchPage.Next"/> by the previous page.</summary>
    public string? Next { get; init; }
}

/// <summary>One page of search results, newest first.</summary>
public sealed record MessageSearchPage
{
    /// <summary>The matching messages, newest first; each carries its <see cref="Message.ChannelId"/>.</summary>
    public IReadOnlyList<Message> Messages { get; init; } = [];

    /// <summary>The cursor of the next page (pass it as <see cref="MessageSearchQuery.Next"/>); <see langword="null"/> on the last
    /// page.</summary>
    public string? Next { get; init; }
}
