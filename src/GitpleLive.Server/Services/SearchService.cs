namespace GitpleLive.Server.Services;

/// <summary>Message search parameters (PROTOCOL §10, search).</summary>
public sealed record MessageSearchQuery
{
    public required SearchTerms Terms { get; init; }
    /// <summary>Only this channel (the caller must be a member).</summary>
    public string? ChannelId { get; init; }
    /// <summary>Platform API only: search as this user (their channels); null searches every channel of the app.</summary>
    public string? AsUserId { get; init; }
    public int Limit { get; init; } = 20;
    /// <summary>The cursor of the previous page.</summary>
    public string? Next { get; init; }
}

/// <summary>One page of search results, newest first, and the cursor of the next page (null on the last).</summary>
public sealed record MessageSearchPage(IReadOnlyList<MessageDto> Messages, string? Next);

/// <summary>
/// Full-text message search over the channels the caller is a member of now (the Platform API: a given user's channels,
/// or every channel of the app), newest first, paged by a cursor on the message id. Reads the index only
/// (<see cref="MessageSearch"/>): no scan of messages, whatever the history's size.
/// </summary>
public sealed class SearchService(ChatStore store, MessageMapper mapper, SearchIndexer index)
{
    public async Task<MessageSearchPage> SearchAsync(ChatCaller caller, MessageSearchQuery query,
        CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        var ct = cancellationToken;
        if (!caller.IsPlatform && query.AsUserId is not null && query.AsUserId != caller.UserId)
            throw ApiException.Forbidden(ErrorCodes.NoPermission, "only the Platform API may search as another user");
        var user = caller.IsPlatform ? query.AsUserId : caller.UserId;
        var before = DecodeCursor(query.Next);
        // Every message stored before this call is found (SQLite indexes new messages in batches).
        await index.CatchUpAsync(ct);
        return await store.ReadAsync(async db =>
        {
            if (user is not null && caller.IsPlatform) await db.RequireUserAsync(appId, user, ct);
            if (query.ChannelId is { } channelId)
            {
                await db.RequireChannelAsync(appId, channelId, ct);
                if (user is not null && await db.FindMemberAsync(appId, channelId, user, ct) is null)
                    throw ApiException.Forbidden(ErrorCodes.NotJoined, $"user '{user}' is not a member of channel '{channelId}'");
            }
            // One more than the page: whether a next page exists is known, not guessed.
            var ids = await db.MatchingIdsAsync(new MessageSearchFilter
            {
                AppId = appId, Terms = query.Terms, ChannelId = query.ChannelId, MemberUserId = user, BeforeId = before,
                Limit = query.Limit + 1,
            }, ct);
            var more = ids.Count > query.Limit;
            if (more) ids.RemoveAt(ids.Count - 1);
            var list = await mapper.LoadAsync(db, appId, MessageSearch.ById(db, ids), ct);
            list.Sort((a, b) => b.MessageId.CompareTo(a.MessageId));
            return new MessageSearchPage(list, more && list.Count > 0 ? Cursor.Encode(list[^1].CreatedAt, Id(list[^1].MessageId)) : null);
        }, ct);
    }

    private static string Id(long messageId) => messageId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The message id a <c>next</c> cursor continues below; 400 naming <c>next</c> when it is not ours.</summary>
    private static long? DecodeCursor(string? next) =>
        Cursor.Decode(next) is not { } p ? null
        : long.TryParse(p.Id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            && id > 0 ? id
        : throw ApiException.BadRequest("next is not a valid cursor");
}
