using System.Data;

namespace GitpleLive.Server.Webhooks;

/// <summary>
/// The writer's webhook stage (<see cref="IWriteStage"/>): for the events a write raised, inserts a delivery row for each
/// change whose app has webhooks wanting its category, in that write's savepoint — a change committed means its deliveries
/// are, a write rolled back leaves none — and marks every event it saw (<see cref="ChatEvent.WebhookStaged"/>) so that
/// <see cref="WebhookPublisher"/> does not queue it again. For an app without webhooks the cost is one dictionary lookup.
/// <para>
/// The insert is raw and prepared once on the writer's connection (the send path is hot: no EF Core tracking). A change's
/// <see cref="WebhookDeliveryRow.Stamp"/> is its event's when it has one (a group send's, read from PostgreSQL's clock under
/// the channel's row lock); else the time it is staged, after the write's own statements, in its transaction: on
/// PostgreSQL the database's clock (the one every node's sends are stamped with), on SQLite the node's, never going back
/// (one writer: stamps follow commit order).
/// </para>
/// </summary>
internal sealed class WebhookStage(WebhookSettingsCache settings, WebhookSignal signal, TimeProvider time) : IWriteStage
{
    private const string InsertSql = """
        INSERT INTO webhook_deliveries ("DeliveryId", "AppId", "Category", "OrderKey", "Stamp", "Body", "Status", "Attempts",
            "NextAttemptAt", "LeaseUntil", "CreatedAt", "UpdatedAt")
        VALUES (@id, @a, @cat, @key, @stamp, @body, 0, 0, 0, 0, @now, @now)
        """;

    // As SendStatements reads it: Unix microseconds of the database's clock.
    private const string ClockSql = "SELECT (extract(epoch from clock_timestamp()) * 1000000)::bigint";

    private static readonly (string, DbType)[] InsertParameters =
    [
        ("@id", DbType.String), ("@a", DbType.String), ("@cat", DbType.String), ("@key", DbType.String), ("@stamp", DbType.Int64),
        ("@body", DbType.String), ("@now", DbType.Int64),
    ];

    private long _lastStamp; // the writer's only

    public async ValueTask<int> StageAsync(WriteScope scope, IReadOnlyList<ChatEvent> events)
    {
        var count = 0;
        long? stamp = null;
        foreach (var e in events)
        {
            e.WebhookStaged = true;
            if (e.TopicKind == EventTopicKind.Node || !WebhookCategories.IsDelivered(e.Category)) continue;
            if (!settings.TryGetCached(e.AppId, out var app)) app = await settings.LoadAsync(scope.Db, e.AppId);
            if (app is null || !app.Wants(e.Category)) continue;
            var at = e.Stamp ?? (stamp ??= await NowAsync(scope));
            var row = WebhookQueue.Row(e, at, time.GetUtcNow().ToUnixTimeMilliseconds());
            var insert = scope.Command(InsertSql, InsertParameters);
            var p = insert.Parameters;
            p[0].Value = row.DeliveryId;
            p[1].Value = row.AppId;
            p[2].Value = row.Category;
            p[3].Value = row.OrderKey;
            p[4].Value = row.Stamp;
            p[5].Value = row.Body;
            p[6].Value = row.CreatedAt;
            await insert.ExecuteNonQueryAsync();
            count++;
        }
        return count;
    }

    /// <summary>When the change is staged (UTC ticks): the database's clock on PostgreSQL, the node's on SQLite.</summary>
    private async ValueTask<long> NowAsync(WriteScope scope)
    {
        if (scope.IsPostgres)
        {
            var micros = Convert.ToInt64(await scope.Command(ClockSql).ExecuteScalarAsync());
            return DateTimeOffset.UnixEpoch.UtcTicks + micros * 10;
        }
        return _lastStamp = Math.Max(_lastStamp, time.GetUtcNow().UtcTicks);
    }

    public void Committed(int count)
    {
        Operations.ChatMetrics.WebhookQueued(count);
        signal.Wake();
    }
}
