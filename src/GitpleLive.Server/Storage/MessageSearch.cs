using System.Text;
using GitpleLive.Server.Services;

namespace GitpleLive.Server.Storage;

/// <summary>What a full-text message lookup is restricted to (all of it applies together).</summary>
public sealed record MessageSearchFilter
{
    public required string AppId { get; init; }
    public required SearchTerms Terms { get; init; }
    /// <summary>Only this channel.</summary>
    public string? ChannelId { get; init; }
    /// <summary>Only channels this user is a member of now.</summary>
    public string? MemberUserId { get; init; }
    /// <summary>Only messages of this type (<c>text</c>, <c>file</c>).</summary>
    public string? Type { get; init; }
    /// <summary>Only ids below this one.</summary>
    public long? BeforeId { get; init; }
    /// <summary>Only ids above this one.</summary>
    public long? AfterId { get; init; }
    /// <summary>Oldest first; otherwise newest first.</summary>
    public bool Ascending { get; init; }
    public int Limit { get; init; } = 20;
}

/// <summary>
/// The full-text index over messages' content, one SQL statement per provider (the one place where services reach
/// provider SQL: LINQ has no full-text match). Both answer message ids in id order, read from the index, never by
/// scanning the messages:
/// <list type="bullet">
/// <item>SQLite: the FTS5 table <c>messages_fts</c> (external content over <c>messages.Content</c>; new messages
/// added in batches by <see cref="SearchIndexer"/>, which callers catch up first; edits and deletes by triggers),
/// tokenizer <c>unicode61 remove_diacritics 2</c>. The match walks the index in rowid (= message id) order and stops at
/// the page's end.</item>
/// <item>PostgreSQL: the GIN expression index <c>IX_messages_search</c> on
/// <c>to_tsvector('simple', coalesce("Content", ''))</c> (<c>simple</c>: lower-cased words, no stemming, no stop words).</item>
/// </list>
/// <see cref="SearchTerms"/> builds the match text from words only, so user input is never index query syntax.
/// </summary>
public static class MessageSearch
{
    /// <summary>
    /// The rows of <paramref name="ids"/> (from <see cref="MatchingIdsAsync"/>, already limited to one app) by primary key
    /// alone: with the app or channel in the predicate too, SQLite may walk that index and test each row against the id
    /// list instead (measured: ~0.5 s for 20 ids on 1,000,000 messages).
    /// </summary>
    public static IQueryable<MessageRow> ById(ChatDbContext db, List<long> ids) => db.Messages.Where(m => ids.Contains(m.MessageId));

    /// <summary>The ids of the messages matching <paramref name="filter"/>, at most its limit, in its order.</summary>
    public static Task<List<long>> MatchingIdsAsync(this ChatDbContext db, MessageSearchFilter filter,
        CancellationToken cancellationToken = default)
    {
        if (filter.Terms.IsEmpty) return Task.FromResult(new List<long>());
        var postgres = db is PostgresChatDbContext;
        var args = new List<object>();
        string Arg(object value)
        {
            args.Add(value);
            return "{" + (args.Count - 1) + "}";
        }
        // Identifiers as EF Core names them: quoted, so PostgreSQL keeps their case (SQLite accepts the quotes too).
        var sql = new StringBuilder();
        string id;
        if (postgres)
        {
            id = "m.\"MessageId\"";
            sql.Append("SELECT m.\"MessageId\" AS \"Value\" FROM messages AS m WHERE ")
                .Append("to_tsvector('simple'::regconfig, coalesce(m.\"Content\", '')) @@ to_tsquery('simple'::regconfig, ")
                .Append(Arg(filter.Terms.ToTsQuery())).Append(')');
        }
        else
        {
            // The FTS table's rowid is the message id; ordering and id bounds on it are served by the index.
            id = "f.rowid";
            sql.Append("SELECT m.\"MessageId\" AS \"Value\" FROM messages_fts AS f JOIN messages AS m ON m.\"MessageId\" = f.rowid ")
                .Append("WHERE messages_fts MATCH ").Append(Arg(filter.Terms.ToFts5Match()));
        }
        sql.Append(" AND m.\"AppId\" = ").Append(Arg(filter.AppId));
        if (filter.ChannelId is { } channel) sql.Append(" AND m.\"ChannelId\" = ").Append(Arg(channel));
        if (filter.MemberUserId is { } user)
            sql.Append(" AND m.\"ChannelId\" IN (SELECT x.\"ChannelId\" FROM members AS x WHERE x.\"AppId\" = ").Append(Arg(filter.AppId))
                .Append(" AND x.\"UserId\" = ").Append(Arg(user)).Append(')');
        if (filter.Type is { } type) sql.Append(" AND m.\"Type\" = ").Append(Arg(type));
        if (filter.BeforeId is { } before) sql.Append(" AND ").Append(id).Append(" < ").Append(Arg(before));
        if (filter.AfterId is { } after) sql.Append(" AND ").Append(id).Append(" > ").Append(Arg(after));
        sql.Append(" ORDER BY ").Append(id).Append(filter.Ascending ? " ASC" : " DESC")
            .Append(" LIMIT ").Append(Arg(filter.Limit));
        return db.Database.SqlQueryRaw<long>(sql.ToString(), args.ToArray()).ToListAsync(cancellationToken);
    }
}
