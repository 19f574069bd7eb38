using System.Buffers;
using System.Data;
using System.Data.Common;
using System.Text;
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

    /// <summary>Stores <paramref name="rows"/> (a batch's deliveries, in order) as one inbox row per app.</summary>
    public static async ValueTask StoreAsync(WriteScope scope, List<WebhookDeliveryRow> rows, long now)
    {
        var insert = scope.Command(InboxInsertSql, ("@a", DbType.String), ("@r", DbType.String), ("@now", DbType.Int64));
        var first = rows[0].AppId;
        if (rows.TrueForAll(r => r.AppId == first))
        {
            await InsertAsync(insert, first, Pack(rows), now);
            return;
        }
        foreach (var app in rows.GroupBy(r => r.AppId, StringComparer.Ordinal))
            await InsertAsync(insert, app.Key, Pack(app), now);
    }

    private static async Task InsertAsync(DbCommand insert, string appId, string packed, long now)
    {
        insert.Parameters[0].Value = appId;
        insert.Parameters[1].Value = packed;
        insert.Parameters[2].Value = now;
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Moves up to <see cref="ExpandLimit"/> inbox rows into the delivery table, oldest first, in the caller's write; returns
    /// how many it took (0 on PostgreSQL while another node is expanding).
    /// </summary>
    public static async Task<int> ExpandAsync(WriteScope scope)
    {
        if (scope.IsPostgres && !(bool)(await scope.Command(LockSql).ExecuteScalarAsync())!) return 0;
        var taken = new List<(long Id, string AppId, string Rows)>();
        await using (var reader = await scope.Command(scope.IsPostgres ? TakeSql + " FOR UPDATE" : TakeSql).ExecuteReaderAsync())
            while (await reader.ReadAsync()) taken.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
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

    // One delivery: {"d":delivery id,"c":category,"k":order key,"s":stamp,"t":created at,"b":the body, as POSTed}.
    private static string Pack(IEnumerable<WebhookDeliveryRow> rows)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var r in rows)
            {
                w.WriteStartObject();
                w.WriteString("d", r.DeliveryId);
                w.WriteString("c", r.Category);
                w.WriteString("k", r.OrderKey);
                w.WriteNumber("s", r.Stamp);
                w.WriteNumber("t", r.CreatedAt);
                w.WritePropertyName("b");
                w.WriteRawValue(r.Body, skipInputValidation: true); // our own JSON: WebhookQueue.Body
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static IEnumerable<WebhookDeliveryRow> Unpack(string appId, string packed)
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
