using System.Data;

namespace GitpleLive.Server.Webhooks;

/// <summary>
/// The writer's webhook stage (<see cref="IWriteStage"/>): for the events a write raised, derives a delivery for each
/// change whose app has webhooks wanting its category and holds it until the batch is about to commit; then the batch's
/// deliveries go into <c>webhook_inbox</c>, one row per app, in the batch's transaction — a change committed means its
/// deliveries are, a write rolled back leaves none. It marks every event it saw (<see cref="ChatEvent.WebhookStaged"/>) so
/// that <see cref="WebhookPublisher"/> does not queue it again. For an app without webhooks the cost is one dictionary lookup.
/// <para>
/// One row per batch, not one per delivery: a delivery row and its four indexes cost the send path a quarter of its rate
/// (2026-12-02, bench/RESULTS.md), most of it the statement per row and the index pages each commit dirtied. A delivering
/// node turns inbox rows into delivery rows in bulk (<see cref="WebhookInbox.ExpandAsync"/>).
/// </para>
/// <para>
/// A change's <see cref="WebhookDeliveryRow.Stamp"/> is its event's when it has one (a group send's, read from PostgreSQL's
/// clock under the channel's row lock); else the time it is staged, after the write's own statements, in its transaction:
/// on PostgreSQL the database's clock (the one every node's sends are stamped with), on SQLite the node's, never going back
/// (one writer: stamps follow commit order).
/// </para>
/// </summary>
internal sealed class WebhookStage(WebhookSettingsCache settings, WebhookSignal signal, TimeProvider time) : IWriteStage
{
    // As SendStatements reads it: Unix microseconds of the database's clock.
    private const string ClockSql = "SELECT (extract(epoch from clock_timestamp()) * 1000000)::bigint";

    private readonly List<WebhookInbox.Staged> _held = []; // the writer's only
    private readonly WebhookInbox.Packer _packer = new(); // the writer's only
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
            _held.Add(new WebhookInbox.Staged(e, Guid.CreateVersion7(), at, time.GetUtcNow().ToUnixTimeMilliseconds()));
            count++;
        }
        return count;
    }

    public int Mark() => _held.Count;

    public void Truncate(int mark)
    {
        if (mark < _held.Count) _held.RemoveRange(mark, _held.Count - mark);
    }

    public async ValueTask FlushAsync(WriteScope scope)
    {
        if (_held.Count == 0) return;
        await _packer.StoreAsync(scope, _held, time.GetUtcNow().ToUnixTimeMilliseconds());
        _held.Clear();
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
