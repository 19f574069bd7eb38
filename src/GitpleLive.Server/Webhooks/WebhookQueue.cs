using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;

namespace GitpleLive.Server.Webhooks;

/// <summary>
/// The fallback path for changes published without being raised in a write. The server's own changes do not come here:
/// services raise their events inside the write that stores the change (<see cref="StoreWriter.WriteAsync{T}"/>'s <c>events</c>, or
/// <see cref="ChatStore"/>'s <c>WriteAsync(work, events, publisher)</c>) and <see cref="WebhookStage"/> inserts their
/// delivery rows in that write's savepoint, before the batch commits — a change committed means its deliveries are, a
/// write rolled back leaves none — and marks them (<see cref="ChatEvent.WebhookStaged"/>) so they are not queued here too.
/// <para>
/// What remains (events a host publishes itself, say) is written to the delivery table in batches, off the publish path:
/// <see cref="Add"/> only stamps the change and puts it in a bounded in-memory buffer; this service drains it into one
/// transaction per batch (up to <see cref="WebhookOptions.BatchSize"/>), filtering by each app's categories, then wakes the
/// worker. For those, the window between a change's commit and its delivery row is the time the change waits in this
/// buffer (usually milliseconds); a crash (kill -9) inside it loses those deliveries; a graceful stop flushes the buffer.
/// </para>
/// </summary>
public sealed class WebhookQueue : BackgroundService
{
    private readonly Channel<Queued> _buffer;
    private readonly ChatStore _store;
    private readonly WebhookSettingsCache _settings;
    private readonly WebhookSignal _signal;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookQueue> _logger;
    private readonly Lock _order = new();
    private long _dropped;

    public WebhookQueue(ChatStore store, WebhookSettingsCache settings, WebhookSignal signal, WebhookOptions options,
        TimeProvider time, ILogger<WebhookQueue> logger)
    {
        _store = store;
        _settings = settings;
        _signal = signal;
        _options = options;
        _time = time;
        _logger = logger;
        _buffer = Channel.CreateBounded<Queued>(new BoundedChannelOptions(options.MaxBuffered)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    private sealed record Queued(ChatEvent Event, long Stamp);

    /// <summary>Queues a published change; never waits. A full buffer drops it (counted and logged).</summary>
    public void Add(ChatEvent chatEvent)
    {
        bool written;
        // Stamped and buffered under one lock, so a node's stamps follow its buffer's order.
        // A change stamped under its channel's row lock keeps that stamp (commit order across nodes).
        lock (_order) written = _buffer.Writer.TryWrite(new Queued(chatEvent, chatEvent.Stamp ?? _time.GetUtcNow().UtcTicks));
        if (written) return;
        Operations.ChatMetrics.WebhookDropped();
        if (Interlocked.Increment(ref _dropped) % 1000 == 1)
            _logger.LogError("The webhook buffer is full ({Max} changes): dropping deliveries (is the database reachable?)",
                _options.MaxBuffered);
    }

    protected override async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        var batch = new List<Queued>(_options.BatchSize);
        try
        {
            while (await _buffer.Reader.WaitToReadAsync(cancellationToken))
            {
                while (batch.Count < _options.BatchSize && _buffer.Reader.TryRead(out var q)) batch.Add(q);
                await WriteAsync(batch, cancellationToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: what is buffered still goes to the table, for whichever node runs next.
            using var flush = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            while (_buffer.Reader.TryRead(out var q)) batch.Add(q);
            try
            {
                if (batch.Count > 0) await WriteAsync(batch, flush.Token);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Writing {Count} webhook deliveries at shutdown failed", batch.Count);
            }
        }
    }

    private async Task WriteAsync(List<Queued> batch, CancellationToken cancellationToken)
    {
        var rows = new List<WebhookDeliveryRow>(batch.Count);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (e, stamp) in batch)
        {
            var settings = await _settings.GetAsync(e.AppId, cancellationToken);
            if (settings is null || !settings.Wants(e.Category)) continue;
            rows.Add(Row(e, stamp, now));
        }
        if (rows.Count == 0) return;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                foreach (var r in rows) r.Id = 0;
                await _store.WriteAsync(db =>
                {
                    db.WebhookDeliveries.AddRange(rows);
                    return Task.CompletedTask;
                }, cancellationToken);
                break;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The database is away: keep the batch (the buffer fills meanwhile, bounded) and try again.
                _logger.LogWarning("Writing {Count} webhook deliveries failed (attempt {Attempt}): {Error}", rows.Count, attempt,
                    ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * attempt)), cancellationToken);
            }
        }
        Operations.ChatMetrics.WebhookQueued(rows.Count);
        _signal.Wake();
    }

    /// <summary>
    /// The POSTed JSON (<see cref="WebhookBody"/>). The realtime payload of the same change (<see cref="ChatEvent.PayloadBytes"/>,
    /// serialised once for every subscriber anyway) already holds its <c>category</c>, <c>app_id</c>, <c>channel</c>,
    /// <c>user</c>, <c>message</c> and <c>data</c>: the body is that object with the delivery id and timestamp in front,
    /// not a second serialisation of the same objects on the send path. A ban's realtime payload has an extra
    /// <c>banInfo</c>; its body is serialised on its own. Written as UTF-8 into <paramref name="into"/>.
    /// </summary>
    internal static void WriteBody(IBufferWriter<byte> into, ChatEvent e, Guid deliveryId, long timestamp)
    {
        var p = e.Payload;
        if (p.BanInfo is not null || p.Category == EventCategories.ChannelBan)
        {
            using var w = new Utf8JsonWriter(into);
            JsonSerializer.Serialize(w, new WebhookBody(deliveryId.ToString("N"), e.AppId, e.Category, timestamp, p.Channel, p.User,
                p.Message, p.Data), ApiJson.Options);
            return;
        }
        into.Write("{\"delivery_id\":\""u8);
        deliveryId.TryFormat(into.GetSpan(32), out var n, "N");
        into.Advance(n);
        into.Write("\",\"timestamp\":"u8);
        timestamp.TryFormat(into.GetSpan(20), out n, default, CultureInfo.InvariantCulture);
        into.Advance(n);
        into.Write(","u8);
        into.Write(e.PayloadBytes.AsSpan(1)); // {"category":…, …}: never empty
    }

    /// <summary>When a change staged at <paramref name="stamp"/> (UTC ticks) happened, as its body's <c>timestamp</c>.</summary>
    internal static long ChangedAt(long stamp) => new DateTimeOffset(stamp, TimeSpan.Zero).ToUnixTimeMilliseconds();

    internal static WebhookDeliveryRow Row(ChatEvent e, long stamp, long now)
    {
        var id = Guid.CreateVersion7();
        var body = new ArrayBufferWriter<byte>(1024);
        WriteBody(body, e, id, ChangedAt(stamp));
        return new WebhookDeliveryRow
        {
            DeliveryId = id.ToString("N"), AppId = e.AppId, Category = e.Category, OrderKey = WebhookEvents.OrderKey(e), Stamp = stamp,
            Body = Encoding.UTF8.GetString(body.WrittenSpan), Status = WebhookDeliveryRow.Pending,
            CreatedAt = now, UpdatedAt = now, NextAttemptAt = 0,
        };
    }
}

/// <summary>Wakes the delivery worker: new deliveries were queued or an attempt finished on this node.</summary>
public sealed class WebhookSignal
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);
    private int _set; // 1 while a wake is pending: the semaphore is released once per wait, not once per commit

    /// <summary>Wakes the waiter (or the next wait). Called at every commit that queued deliveries: no exception if already set.</summary>
    public void Wake()
    {
        if (Interlocked.Exchange(ref _set, 1) == 0) _semaphore.Release();
    }

    /// <summary>Waits until woken or <paramref name="timeout"/> passed.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (await _semaphore.WaitAsync(timeout, cancellationToken)) Volatile.Write(ref _set, 0);
    }
}
