using System.Data;
using System.Data.Common;

namespace GitpleLive.Server.Storage;

/// <summary>
/// The send path's statements, raw and prepared once on the <see cref="StoreWriter"/>'s connection (EF Core's
/// query pipeline cost more than the database did on this path; see bench/RESULTS.md). On SQLite three statements:
/// the channel with the sender and their membership, the message, the channel's counters. On PostgreSQL the same
/// in one statement (one round trip), whose check locks the channel's row (<c>FOR UPDATE</c>) before the message
/// id is drawn: ids follow commit order within a channel across nodes.
/// </summary>
public static class SendStatements
{
    private const string CheckSql = """
        SELECT c."Type", c."Name", c."ProfileUrl", c."Meta", c."Freeze", c."CreatedAt", c."LastMessageId",
               u."UserId", u."Name", u."ProfileUrl", u."Meta", u."CreatedAt", u."UpdatedAt", m."UserId", m."IsManager",
               c."TotalMessageCount", c."TotalFileCount"
        FROM channels c
        LEFT JOIN users u ON u."AppId" = c."AppId" AND u."UserId" = @u
        LEFT JOIN members m ON m."AppId" = c."AppId" AND m."ChannelId" = c."ChannelId" AND m."UserId" = @u
        WHERE c."AppId" = @a AND c."ChannelId" = @c AND c."Type" = 'group'
        """;

    private static readonly string InsertFileSqliteSql = InsertSql[..InsertSql.IndexOf("RETURNING", StringComparison.Ordinal)];

    // SQLite, a text message: no file columns to bind (Microsoft.Data.Sqlite allocates a binder per parameter and run).
    private const string InsertTextSql = """
        INSERT INTO messages ("AppId", "ChannelId", "Type", "UserId", "Content", "Meta", "FilterOriginContent", "CreatedAt",
            "UpdatedAt", "ParentMessageId", "MentionedUserIds", "ReplyCount")
        VALUES (@a, @c, 'text', @u, @content, @meta, @origin, @now, @now, @parent, @mentions, 0)
        """;

    // SQLite: the counters are the checked ones plus this send (one writer: nothing changed them in between).
    private const string CountSqliteSql = """
        UPDATE channels SET "TotalMessageCount" = "TotalMessageCount" + 1, "TotalFileCount" = "TotalFileCount" + @f,
            "UpdatedAt" = @now, "LastMessageId" = @id
        WHERE "AppId" = @a AND "ChannelId" = @c
        """;

    private const string InsertSql = """
        INSERT INTO messages ("AppId", "ChannelId", "Type", "UserId", "Content", "FileName", "FileType", "FileSize", "FileKey",
            "Meta", "FilterOriginContent", "CreatedAt", "UpdatedAt", "ParentMessageId", "MentionedUserIds", "ReplyCount")
        VALUES (@a, @c, @t, @u, @content, @fn, @ft, @fs, @fk, @meta, @origin, @now, @now, @parent, @mentions, 0)
        RETURNING "MessageId"
        """;

    // PostgreSQL: the check (locking the channel's row first), the message and the counters in one statement, one
    // round trip; a refused send inserts and updates nothing and is told apart from the columns it returns.
    private const string SendPostgresSql = $"""
        WITH c AS (
            SELECT c."Type", c."Name", c."ProfileUrl", c."Meta", c."Freeze", c."CreatedAt", c."LastMessageId",
                   u."UserId" AS uid, u."Name" AS uname, u."ProfileUrl" AS uprofile, u."Meta" AS umeta,
                   u."CreatedAt" AS ucreated, u."UpdatedAt" AS uupdated, m."UserId" AS mid, m."IsManager"
            FROM channels c
            LEFT JOIN users u ON u."AppId" = c."AppId" AND u."UserId" = @u
            LEFT JOIN members m ON m."AppId" = c."AppId" AND m."ChannelId" = c."ChannelId" AND m."UserId" = @u
            WHERE c."AppId" = @a AND c."ChannelId" = @c AND c."Type" = 'group'
            FOR UPDATE OF c),
        ins AS (
            INSERT INTO messages ("AppId", "ChannelId", "Type", "UserId", "Content", "FileName", "FileType", "FileSize", "FileKey",
                "Meta", "FilterOriginContent", "CreatedAt", "UpdatedAt", "ParentMessageId", "MentionedUserIds", "ReplyCount")
            SELECT @a, @c, @t, @u, @content, @fn, @ft, @fs, @fk, @meta, @origin, @now, @now, @parent, @mentions, 0 FROM c
            WHERE c.uid IS NOT NULL AND (@platform OR (c.mid IS NOT NULL AND (NOT c."Freeze" OR c."IsManager")))
            RETURNING "MessageId"),
        upd AS (
            UPDATE channels SET "TotalMessageCount" = "TotalMessageCount" + 1, "TotalFileCount" = "TotalFileCount" + @f,
                "UpdatedAt" = @now, "LastMessageId" = (SELECT "MessageId" FROM ins)
            WHERE "AppId" = @a AND "ChannelId" = @c AND EXISTS (SELECT 1 FROM ins)
            RETURNING "TotalMessageCount", "TotalFileCount", {ClockSql} AS at)
        SELECT c.*, (SELECT "MessageId" FROM ins), (SELECT "TotalMessageCount" FROM upd), (SELECT "TotalFileCount" FROM upd),
            (SELECT at FROM upd)
        FROM c
        """;

    // The database's clock (Unix microseconds), read by the statement that updates the locked channel row: one clock
    // for every node, so a channel's sends are stamped in commit order (the webhook queue orders by it).
    private const string ClockSql = "(extract(epoch from clock_timestamp()) * 1000000)::bigint";

    private const string CountPostgresSql = """
        UPDATE channels SET "TotalMessageCount" = "TotalMessageCount" + 1, "TotalFileCount" = "TotalFileCount" + @f,
            "UpdatedAt" = @now, "LastMessageId" = @id
        WHERE "AppId" = @a AND "ChannelId" = @c
        RETURNING "TotalMessageCount", "TotalFileCount",
        """ + ClockSql;

    /// <summary>
    /// What a send stored: the channel as it is after it, the message (its id set), its sender, and (PostgreSQL) when the
    /// send took its place in the channel (UTC ticks of the database's clock, read under the channel's row lock; null
    /// on SQLite, whose single writer publishes in commit order).
    /// </summary>
    public sealed record Stored(ChannelRow Channel, MessageRow Message, UserRow Sender, long PreviousMessageId, long? OrderStamp);

    private static long Ticks(long unixMicroseconds) => DateTimeOffset.UnixEpoch.UtcTicks + unixMicroseconds * 10;

    /// <summary>
    /// Checks that <paramref name="row"/>'s sender may send into its channel (1003, 1004, and for SDK senders 1008
    /// and 1009) and stores it with the channel's counters, in the writer's current savepoint.
    /// </summary>
    /// <param name="beforeInsert">
    /// Checks and additions a send carries beyond the plain one (run after the sender's checks, before the message
    /// is stored, on the writer's context; they may refuse); null for a plain send.
    /// </param>
    public static async Task<Stored> SendAsync(WriteScope scope, MessageRow row, bool asPlatform, Func<Task>? beforeInsert,
        CancellationToken cancellationToken)
    {
        var ct = cancellationToken;
        if (scope.IsPostgres && beforeInsert is null) return await SendPostgresAsync(scope, row, asPlatform, ct);
        var check = scope.Command(scope.IsPostgres ? CheckSql + " FOR UPDATE OF c" : CheckSql,
            ("@u", DbType.String), ("@a", DbType.String), ("@c", DbType.String));
        check.Parameters[0].Value = row.UserId;
        check.Parameters[1].Value = row.AppId;
        check.Parameters[2].Value = row.ChannelId;
        ChannelRow channel;
        UserRow sender;
        long previous;
        // SQLite's "async" calls run synchronously anyway: the plain ones spare their tasks.
        await using (var r = scope.IsPostgres ? await check.ExecuteReaderAsync(ct) : check.ExecuteReader())
        {
            (channel, sender, previous) = Checked(new ReaderRow(r), scope.IsPostgres ? await r.ReadAsync(ct) : r.Read(), row, asPlatform);
            channel.TotalMessageCount = r.GetInt64(15);
            channel.TotalFileCount = r.GetInt64(16);
        }
        if (beforeInsert is not null) await beforeInsert();
        var file = row.FileKey is null ? 0L : 1L;
        if (!scope.IsPostgres)
        {
            row.MessageId = InsertSqlite(scope, row);
            var update = scope.Command(CountSqliteSql, ("@f", DbType.Int64), ("@now", DbType.Int64), ("@id", DbType.Int64),
                ("@a", DbType.String), ("@c", DbType.String));
            SetCount(update.Parameters, row, file);
            update.ExecuteNonQuery();
            channel.TotalMessageCount++;
            channel.TotalFileCount += file;
            channel.UpdatedAt = row.CreatedAt;
            channel.LastMessageId = row.MessageId;
            return new Stored(channel, row, sender, previous, null);
        }

        var insert = scope.Command(InsertSql, MessageParameters);
        SetMessage(insert.Parameters, row);
        row.MessageId = Convert.ToInt64(await insert.ExecuteScalarAsync(ct));
        long stamp;
        var count = scope.Command(CountPostgresSql, ("@f", DbType.Int64), ("@now", DbType.Int64), ("@id", DbType.Int64),
            ("@a", DbType.String), ("@c", DbType.String));
        SetCount(count.Parameters, row, file);
        await using (var r = await count.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            channel.TotalMessageCount = r.GetInt64(0);
            channel.TotalFileCount = r.GetInt64(1);
            stamp = Ticks(r.GetInt64(2));
        }
        channel.UpdatedAt = row.CreatedAt;
        channel.LastMessageId = row.MessageId;
        return new Stored(channel, row, sender, previous, stamp);
    }

    /// <summary>
    /// Stores the message on SQLite and returns its id: a statement without a reader (no RETURNING), its id read from the
    /// connection (the rowid of this insert; no trigger on messages inserts elsewhere).
    /// </summary>
    private static long InsertSqlite(WriteScope scope, MessageRow row)
    {
        DbCommand insert;
        if (row.FileKey is null && row.Type == "text")
        {
            insert = scope.Command(InsertTextSql, TextParameters);
            var p = insert.Parameters;
            p[0].Value = row.AppId;
            p[1].Value = row.ChannelId;
            p[2].Value = row.UserId;
            p[3].Value = (object?)row.Content ?? DBNull.Value;
            p[4].Value = (object?)row.Meta ?? DBNull.Value;
            p[5].Value = (object?)row.FilterOriginContent ?? DBNull.Value;
            p[6].Value = row.CreatedAt;
            p[7].Value = (object?)row.ParentMessageId ?? DBNull.Value;
            p[8].Value = (object?)row.MentionedUserIds ?? DBNull.Value;
        }
        else
        {
            insert = scope.Command(InsertFileSqliteSql, MessageParameters);
            SetMessage(insert.Parameters, row);
        }
        insert.ExecuteNonQuery();
        return SQLitePCL.raw.sqlite3_last_insert_rowid(((Microsoft.Data.Sqlite.SqliteConnection)insert.Connection!).Handle);
    }

    private static void SetCount(DbParameterCollection p, MessageRow row, long file)
    {
        p[0].Value = file;
        p[1].Value = row.CreatedAt;
        p[2].Value = row.MessageId;
        p[3].Value = row.AppId;
        p[4].Value = row.ChannelId;
    }

    private static async Task<Stored> SendPostgresAsync(WriteScope scope, MessageRow row, bool asPlatform, CancellationToken ct)
    {
        object?[]? values;
        if (scope.Pipelining)
        {
            // One round trip for every send of the batch (StoreWriter's pipeline), not one each.
            values = await scope.PipelineAsync(SendPostgresSql, PostgresParameters, v => SetPostgres(v, row, asPlatform));
        }
        else
        {
            var send = scope.Command(SendPostgresSql, PostgresParameters);
            var bound = new object?[PostgresParameters.Length];
            SetPostgres(bound, row, asPlatform);
            for (var i = 0; i < bound.Length; i++) send.Parameters[i].Value = bound[i] ?? DBNull.Value;
            await using var r = await send.ExecuteReaderAsync(ct);
            values = null;
            if (await r.ReadAsync(ct))
            {
                values = new object?[r.FieldCount];
                r.GetValues(values!);
            }
        }
        ChannelRow channel;
        UserRow sender;
        long previous;
        var v = new ValuesRow(values ?? []);
        try
        {
            (channel, sender, previous) = Checked(v, values is not null, row, asPlatform);
        }
        catch (ApiException)
        {
            scope.Wrote = false; // a refused send's statement inserted and updated nothing
            throw;
        }
        row.MessageId = v.GetInt64(15);
        channel.TotalMessageCount = v.GetInt64(16);
        channel.TotalFileCount = v.GetInt64(17);
        channel.UpdatedAt = row.CreatedAt;
        channel.LastMessageId = row.MessageId;
        return new Stored(channel, row, sender, previous, Ticks(v.GetInt64(18)));
    }

    /// <summary>The one-statement send's parameters (<see cref="PostgresParameters"/>), in order.</summary>
    private static void SetPostgres(IList<object?> p, MessageRow row, bool asPlatform)
    {
        p[0] = row.AppId;
        p[1] = row.ChannelId;
        p[2] = row.Type;
        p[3] = row.UserId;
        p[4] = row.Content;
        p[5] = row.FileName;
        p[6] = row.FileType;
        p[7] = row.FileSize;
        p[8] = row.FileKey;
        p[9] = row.Meta;
        p[10] = row.FilterOriginContent;
        p[11] = row.CreatedAt;
        p[12] = row.ParentMessageId;
        p[13] = row.MentionedUserIds;
        p[14] = row.FileKey is null ? 0L : 1L;
        p[15] = asPlatform;
    }

    private static readonly (string, DbType)[] MessageParameters =
    [
        ("@a", DbType.String), ("@c", DbType.String), ("@t", DbType.String), ("@u", DbType.String), ("@content", DbType.String),
        ("@fn", DbType.String), ("@ft", DbType.String), ("@fs", DbType.Int64), ("@fk", DbType.String), ("@meta", DbType.String),
        ("@origin", DbType.String), ("@now", DbType.Int64), ("@parent", DbType.Int64), ("@mentions", DbType.String),
    ];

    private static readonly (string, DbType)[] TextParameters =
    [
        ("@a", DbType.String), ("@c", DbType.String), ("@u", DbType.String), ("@content", DbType.String), ("@meta", DbType.String),
        ("@origin", DbType.String), ("@now", DbType.Int64), ("@parent", DbType.Int64), ("@mentions", DbType.String),
    ];

    private static readonly (string, DbType)[] PostgresParameters =
        [.. MessageParameters, ("@f", DbType.Int64), ("@platform", DbType.Boolean)];

    private static void SetMessage(DbParameterCollection p, MessageRow row)
    {
        p[0].Value = row.AppId;
        p[1].Value = row.ChannelId;
        p[2].Value = row.Type;
        p[3].Value = row.UserId;
        p[4].Value = (object?)row.Content ?? DBNull.Value;
        p[5].Value = (object?)row.FileName ?? DBNull.Value;
        p[6].Value = (object?)row.FileType ?? DBNull.Value;
        p[7].Value = (object?)row.FileSize ?? DBNull.Value;
        p[8].Value = (object?)row.FileKey ?? DBNull.Value;
        p[9].Value = (object?)row.Meta ?? DBNull.Value;
        p[10].Value = (object?)row.FilterOriginContent ?? DBNull.Value;
        p[11].Value = row.CreatedAt;
        p[12].Value = (object?)row.ParentMessageId ?? DBNull.Value;
        p[13].Value = (object?)row.MentionedUserIds ?? DBNull.Value;
    }

    /// <summary>The channel, sender and membership columns (0–14) of the check; the protocol's refusal when they say no.</summary>
    private static (ChannelRow, UserRow, long) Checked<TRow>(TRow r, bool found, MessageRow row, bool asPlatform) where TRow : IRow
    {
        if (!found) throw ApiException.NotFound(ErrorCodes.ChannelNotFound, $"channel '{row.ChannelId}' not found");
        var channel = new ChannelRow
        {
            AppId = row.AppId, ChannelId = row.ChannelId, Type = r.GetString(0), Name = r.GetString(1), ProfileUrl = Text(r, 2),
            Meta = Text(r, 3), Freeze = r.GetBoolean(4), CreatedAt = r.GetInt64(5),
        };
        var previous = r.GetInt64(6);
        if (r.IsDBNull(7)) throw ApiException.NotFound(ErrorCodes.UserNotFound, $"user '{row.UserId}' not found");
        var sender = new UserRow
        {
            AppId = row.AppId, UserId = r.GetString(7), Name = r.GetString(8), ProfileUrl = Text(r, 9), Meta = Text(r, 10),
            CreatedAt = r.GetInt64(11), UpdatedAt = r.GetInt64(12),
        };
        if (!asPlatform)
        {
            if (r.IsDBNull(13)) throw ApiException.Forbidden(ErrorCodes.NotJoined,
                $"user '{row.UserId}' is not a member of channel '{row.ChannelId}'");
            if (channel.Freeze && !r.GetBoolean(14)) throw ApiException.Forbidden(ErrorCodes.ChannelFrozen,
                $"channel '{row.ChannelId}' is frozen");
        }
        return (channel, sender, previous);
    }

    private static string? Text<TRow>(TRow r, int i) where TRow : IRow => r.IsDBNull(i) ? null : r.GetString(i);

    /// <summary>A row of the check, read from a reader or from values a pipelined statement returned.</summary>
    private interface IRow
    {
        string GetString(int i);
        long GetInt64(int i);
        bool GetBoolean(int i);
        bool IsDBNull(int i);
    }

    private readonly struct ReaderRow(DbDataReader reader) : IRow
    {
        public string GetString(int i) => reader.GetString(i);
        public long GetInt64(int i) => reader.GetInt64(i);
        public bool GetBoolean(int i) => reader.GetBoolean(i);
        public bool IsDBNull(int i) => reader.IsDBNull(i);
    }

    private readonly struct ValuesRow(object?[] values) : IRow
    {
        public string GetString(int i) => (string)values[i]!;
        public long GetInt64(int i) => Convert.ToInt64(values[i], System.Globalization.CultureInfo.InvariantCulture);
        public bool GetBoolean(int i) => (bool)values[i]!;
        public bool IsDBNull(int i) => values[i] is null or DBNull;
    }
}
