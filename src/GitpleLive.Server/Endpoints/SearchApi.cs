namespace GitpleLive.Server.Endpoints;

/// <summary>PROTOCOL §10 (search): full-text message search, on both APIs.</summary>
public static class SearchApi
{
    /// <summary>Longest search text accepted.</summary>
    public const int MaxQueryLength = 256;

    /// <summary>
    /// GET <c>/search/messages?query=..&amp;channel_id=..&amp;limit=..&amp;next=..</c>: an SDK user searches their channels; the
    /// Platform API searches as <c>user_id</c>, or every channel of the app without it.
    /// </summary>
    public static RouteGroupBuilder MapSearch(this RouteGroupBuilder group)
    {
        group.MapGet("/search/messages", async (HttpContext http, ChatCaller caller, SearchService search,
            CancellationToken cancellationToken) =>
        {
            var r = http.Request;
            var text = r.String("query", MaxQueryLength);
            if (string.IsNullOrWhiteSpace(text)) throw ApiException.BadRequest("query is required");
            var query = new MessageSearchQuery
            {
                Terms = SearchTerms.Parse("query", text),
                ChannelId = r.String("channel_id", Limits.IdLength) is { } c ? Ids.Check("channel_id", c) : null,
                AsUserId = r.String("user_id", Limits.IdLength) is { } u ? Ids.Check("user_id", u) : null,
                Limit = r.IntAtMost("limit", 20, 1, 100),
                Next = r.String("next", 600),
            };
            return TypedResults.Ok(await search.SearchAsync(caller, query, cancellationToken));
        });
        return group;
    }
}
