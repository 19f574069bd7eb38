namespace GitpleLive.Server.Services;

/// <summary>
/// History paging as PROTOCOL §5.3 has it, one place for a channel's history, an open channel's and a thread's replies:
/// <c>next</c> is the oldest <c>limit</c> messages after the base id (from the start without one), <c>prev</c> the newest
/// before it (the latest without one); either way the page comes back ascending by id.
/// </summary>
internal static class MessagePager
{
    /// <summary>The page of <paramref name="rows"/> (already filtered) that <paramref name="query"/> asks for, ascending.</summary>
    public static async Task<MessagePage> LoadAsync(ChatDbContext db, MessageMapper mapper, string appId, IQueryable<MessageRow> rows,
        MessageQuery query, CancellationToken cancellationToken = default)
    {
        if (query.Next)
        {
            var baseId = query.BaseMessageId ?? 0;
            rows = rows.Where(m => m.MessageId > baseId).OrderBy(m => m.MessageId).Take(query.Limit);
        }
        else
        {
            if (query.BaseMessageId is { } b) rows = rows.Where(m => m.MessageId < b);
            rows = rows.OrderByDescending(m => m.MessageId).Take(query.Limit);
        }
        return Ascending(await mapper.LoadAsync(db, appId, rows, cancellationToken));
    }

    /// <summary>A page of <paramref name="messages"/>, sorted ascending by id (a <c>prev</c> page is read newest first).</summary>
    public static MessagePage Ascending(List<MessageDto> messages)
    {
        messages.Sort((a, c) => a.MessageId.CompareTo(c.MessageId));
        return new MessagePage(messages);
    }
}
