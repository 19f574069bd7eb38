using System.Buffers;
using System.Data;
using System.Data.Common;
using System.Text.Json;

namespace GitpleLive.Server.Webhooks;

/// <summary>
/// <c>webhook_inbox</c>: the deliveries of committed batches, one row per app per batch (<see cref="WebhookStage"/>), until a
/// delivering node expands them into <c>webhook_deliveries</c> — its rows, indexes, leases and log — many at a time, in
/// one write that also deletes them (<see cref="ExpandAsync"/>): each delivery is queued exactly once. Inbox rows are taken
/// in id order, which on SQLite (one writer) is commit order; on PostgreSQL one node expands at a time (a transaction-level
/// advisory lock), and a channel's sends commit in their stamps' order (its row lock), so a channel's deliveries reach the
/// delivery table in order. The delivery log and the tests read unexpanded rows through <see cref="UnexpandedAsync"/>.
/// </summary>
internal static class WebhookInbox
{
    /// <summary>Inbox rows one expansion takes (each holds one batch's deliveries of one app).</summary>
    public const int ExpandLimit = 64;

    private const string InboxInsertSql = """INSERT INTO webhook_inbox ("AppId", "Rows", "CreatedAt") VALUES (@a, @r, @now)""";
    private static readonly string TakeSql = $"""SELECT "Id", "AppId", "Rows" FROM webhook_inbox ORDER BY "Id" LIMIT {ExpandLimit}""";
    private const string DeleteSql = """DELETE FROM webhook_inbox WHERE "Id" = @id""";
    // Any constant shared by the nodes: the key of the expansion's advisory lock.
    private const string LockSql = "SELECT pg_try_advisory_xact_lock(7413290551)";

    private const string DeliveryInsertSql = """
        INSERT INTO webhook_deliveries ("DeliveryId", "AppId", "Category", "OrderKey", "Stamp", "Body", "Status", "Attempts",
            "NextAttemptAt", "LeaseUntil", "CreatedAt", "UpdatedAt")
        VALUES (@id, @a, @cat, @key, @stamp, @body, 0, 0, 0, 0, @now, @now)
        """;

    private static readonly (string, DbType)[] DeliveryParameters =
    [
        ("@id", DbType.String), ("@a", DbType.String), ("@cat", DbType.String), ("@key", DbType.String), ("@stamp", DbType.Int64),
        ("@body", DbType.String), ("@now", DbType.Int64),
    ];

    /// <summary>One delivery the writer's stage holds until its batch commits: its body is written only then.</summary>
    internal readonly record struct Staged(ChatEvent Event, Guid DeliveryId, long Stamp, long CreatedAt);

    /// <summary>
    /// Writes a batch's staged deliveries into the inbox. One per writer (its buffers are reused from batch to batch):
    /// each delivery's body goes from the event's payload bytes into the row's bytes, no string in between; a row holds at
    /// most about <see cref="ChunkBytes"/>, so no batch allocates on the large-object heap (an inbox row of a whole busy
    /// batch did, and cost a gen-2 collection a second, 2026-12-02).
    /// </summary>
    internal sealed class Packer
    {
        /// <summary>The size an inbox row is closed at (below the large-object heap's 85,000 bytes, with one delivery over).</summary>
        public const int ChunkBytes = 32 * 1024;

        private readonly ArrayBufferWriter<byte> _row = new(ChunkBytes * 2);
        private readonly ArrayBufferWriter<byte> _body = new(4096);
        private readonly Utf8JsonWriter _json;

        public Packer() => _json = new Utf8JsonWriter(_row);

        /// <summary>Stores <paramref name="staged"/> (a batch's deliveries, in order) as inbox rows, per app, in order.</summary>
        public async ValueTask StoreAsync(WriteScope scope, List<Staged> staged, long now)
        {
            var insert = scope.Command(InboxInsertSql, ("@a", DbType.String), ("@r", DbType.Binary), ("@now", DbType.Int64));
            insert.Parameters[2].Value = now;
            var first = staged[0].Event.AppId;
            if (staged.TrueForAll(r => r.Event.AppId == first))
            {
                await StoreAsync(insert, first, staged);
                return;
            }
            foreach (var app in staged.GroupBy(r => r.Event.AppId, StringComparer.Ordinal))
                await StoreAsync(insert, app.Key, app);
        }

        private async ValueTask StoreAsync(DbCommand insert, string appId, IEnumerable<Staged> staged)
        {
            insert.Parameters[0].Value = appId;
            var open = false;
            foreach (var s in staged)
            {
                if (!open)
                {
                    _row.ResetWrittenCount();
                    _json.Reset(_row);
                    _json.WriteStartArray();
                    open = true;
                }
                Write(s);
                if (_json.BytesPending + _row.WrittenCount < ChunkBytes) continue;
                await InsertAsync(insert);
                open = false;
            }
            if (open) await InsertAsync(insert);
        }

        // One delivery: {"d":delivery id,"c":category,"k":order key,"s":stamp,"t":created at,"b":the body, as POSTed}.
        private void Write(in Staged s)
        {
            var e = s.Event;
            Span<byte> id = stackalloc byte[32];
            s.DeliveryId.TryFormat(id, out _, "N");
            _json.WriteStartObject();
            _json.WriteString("d"u8, id);
            _json.WriteString("c"u8, e.Category);
            _json.WriteString("k"u8, WebhookEvents.OrderKey(e));
            _json.WriteNumber("s"u8, s.Stamp);
            _json.WriteNumber("t"u8, s.CreatedAt);
            _body.ResetWrittenCount();
            WebhookQueue.WriteBody(_body, e, s.DeliveryId, WebhookQueue.ChangedAt(s.Stamp));
            _json.WritePropertyName("b"u8);
            _json.WriteRawValue(_body.WrittenSpan, skipInputValidation: true); // our own JSON
            _json.WriteEndObject();
        }

        private async ValueTask InsertAsync(DbCommand insert)
        {
            _json.WriteEndArray();
            _json.Flush();
            insert.Parameters[1].Value = _row.WrittenSpan.ToArray();
            await insert.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// Moves up to <see cref="ExpandLimit"/> inbox rows into the delivery table, oldest first, in the caller's write; returns
    /// how many it took (0 on PostgreSQL while another node is expanding).
    /// </summary>
    public static async Task<int> ExpandAsync(WriteScope scope)
    {
        if (scope.IsPostgres && !(bool)(await scope.Command(LockSql).ExecuteScalarAsync())!) return 0;
        var taken = new List<(long Id, string AppId, byte[] Rows)>();
        await using (var reader = await scope.Command(scope.IsPostgres ? TakeSql + " FOR UPDATE" : TakeSql).ExecuteReaderAsync())
            while (await reader.ReadAsync()) taken.Add((reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2)));
        if (taken.Count == 0) return 0;
        var insert = scope.Command(DeliveryInsertSql, DeliveryParameters);
        var delete = scope.Command(DeleteSql, ("@id", DbType.Int64));
        foreach (var (id, appId, packed) in taken)
        {
            foreach (var row in Unpack(appId, packed))
            {
                var p = insert.Parameters;
                p[0].Value = row.DeliveryId;
                p[1].Value = row.AppId;
                p[2].Value = row.Category;
                p[3].Value = row.OrderKey;
                p[4].Value = row.Stamp;
                p[5].Value = row.Body;
                p[6].Value = row.CreatedAt;
                await insert.ExecuteNonQueryAsync();
            }
            delete.Parameters[0].Value = id;
            await delete.ExecuteNonQueryAsync();
        }
        return taken.Count;
    }

    /// <summary>
    /// The deliveries still in the inbox (of <paramref name="appId"/>, or of every app), oldest first: pending, no attempt yet.
    /// </summary>
    public static async Task<List<WebhookDeliveryRow>> UnexpandedAsync(ChatDbContext db, string? appId = null,
        CancellationToken cancellationToken = default)
    {
        var query = db.WebhookInbox.AsNoTracking();
        if (appId is not null) query = query.Where(r => r.AppId == appId);
        var rows = await query.OrderBy(r => r.Id).ToListAsync(cancellationToken);
        return rows.SelectMany(r => Unpack(r.AppId, r.Rows)).ToList();
    }

    private static IEnumerable<WebhookDeliveryRow> Unpack(string appId, byte[] packed)
    {
        using var doc = JsonDocument.Parse(packed);
        var rows = new List<WebhookDeliveryRow>(doc.RootElement.GetArrayLength());
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var createdAt = e.GetProperty("t").GetInt64();
            rows.Add(new WebhookDeliveryRow
            {
                DeliveryId = e.GetProperty("d").GetString()!, AppId = appId, Category = e.GetProperty("c").GetString()!,
                OrderKey = e.GetProperty("k").GetString()!, Stamp = e.GetProperty("s").GetInt64(),
                Body = e.GetProperty("b").GetRawText(), Status = WebhookDeliveryRow.Pending, CreatedAt = createdAt,
                UpdatedAt = createdAt,
            });
        }
        return rows;
    }
}
