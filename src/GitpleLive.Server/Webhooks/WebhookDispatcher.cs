using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Hosting;

namespace GitpleLive.Server.Webhooks;

/// <summary>
/// Sends queued webhook deliveries. Each round it claims due rows that head their channel (no earlier pending row of the
/// same <see cref="WebhookDeliveryRow.OrderKey"/>), within each app's concurrency limit, by a conditional update that
/// sets a lease, so nodes sharing one PostgreSQL never send a row twice at once; a node that dies mid-attempt loses its
/// leases when they run out and another node retries. A 2xx answer delivers; anything else, no answer within
/// <see cref="WebhookOptions.AttemptTimeout"/> or a failed connection is retried with exponential backoff and jitter until
/// <see cref="WebhookOptions.GiveUpAfter"/>. A channel's next delivery waits until the one before it is delivered or given up.
/// </summary>
public sealed class WebhookDispatcher : BackgroundService
{
    internal const int MaxErrorLength = 500;
    public const string DeliveryIdHeader = "X-GitpleLive-Delivery-Id";
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);

    private readonly ChatStore _store;
    private readonly WebhookSettingsCache _settings;
    private readonly WebhookSignal _signal;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly TimeSpan _orderingDelay;
    private readonly HttpClient _http;
    private int _inFlight;
    private readonly System.Threading.Channels.Channel<Outcome> _outcomes =
        System.Threading.Channels.Channel.CreateUnbounded<Outcome>(new() { SingleReader = true });

    public WebhookDispatcher(ChatStore store, WebhookSettingsCache settings, WebhookSignal signal, WebhookOptions options,
        ChatServerOptions server, TimeProvider time, ILogger<WebhookDispatcher> logger)
    {
        _store = store;
        _settings = settings;
        _signal = signal;
        _options = options;
        _time = time;
        _logger = logger;
        _orderingDelay = options.OrderingDelay ?? (server.UsesRedis ? TimeSpan.FromMilliseconds(500) : TimeSpan.Zero);
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = options.MaxInFlight,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("GitpleLive-Webhooks/1");
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    protected override async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        if (!_options.EnableDispatcher) return;
        var finisher = FinishLoopAsync(cancellationToken);
        await ClaimLoopAsync(cancellationToken);
        await finisher;
    }

    private async Task ClaimLoopAsync(CancellationToken stoppingToken)
    {
        // Pruning first runs one interval after start, not while a node is starting.
        var pruneEvery = (long)Math.Min(PruneEvery.TotalMilliseconds, _options.LogRetention.TotalMilliseconds);
        var nextPrune = Environment.TickCount64 + pruneEvery;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (Environment.TickCount64 >= nextPrune)
                {
                    await PruneAsync(stoppingToken);
                    nextPrune = Environment.TickCount64 + pruneEvery;
                }
                var free = _options.MaxInFlight - Volatile.Read(ref _inFlight);
                if (free > 0) await ClaimAndStartAsync(free, stoppingToken);
                // Woken by this node's new deliveries and finished attempts; other nodes' rows are found by polling.
                await _signal.WaitAsync(_options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "The webhook worker's round failed; trying again");
                try
                {
                    await Task.Delay(_options.PollInterval, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private sealed record Candidate(long Id, string AppId);

    private async Task ClaimAndStartAsync(int free, CancellationToken ct)
    {
        var now = NowMs;
        var settled = _time.GetUtcNow().UtcTicks - _orderingDelay.Ticks;
        const int pending = WebhookDeliveryRow.Pending;
        var candidates = await _store.ReadAsync(db => db.WebhookDeliveries
            .Where(d => d.Status == pending && d.NextAttemptAt <= now && d.LeaseUntil < now && d.Stamp <= settled
                && !db.WebhookDeliveries.Any(e => e.AppId == d.AppId && e.OrderKey == d.OrderKey && e.Status == pending
                    && (e.Stamp < d.Stamp || (e.Stamp == d.Stamp && e.Id < d.Id))))
            .OrderBy(d => d.NextAttemptAt).ThenBy(d => d.Id)
            .Select(d => new Candidate(d.Id, d.AppId))
            .Take(free * 4)
            .ToListAsync(ct), ct);
        if (candidates.Count == 0) return;

        // Each app's limit counts the leases every node holds.
        var apps = candidates.Select(c => c.AppId).Distinct().ToList();
        var busy = await _store.ReadAsync(db => db.WebhookDeliveries
            .Where(d => d.Status == pending && d.LeaseUntil >= now && apps.Contains(d.AppId))
            .GroupBy(d => d.AppId)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct), ct);
        var ids = new List<long>();
        foreach (var c in candidates)
        {
            if (ids.Count == free) break;
            var inUse = busy.GetValueOrDefault(c.AppId);
            if (inUse >= _options.MaxConcurrencyPerApp) continue;
            busy[c.AppId] = inUse + 1;
            ids.Add(c.Id);
        }
        if (ids.Count == 0) return;

        var token = Guid.NewGuid().ToString("N");
        var leaseUntil = now + (long)_options.Lease.TotalMilliseconds;
        var claimed = await _store.WriteAsync(async db =>
        {
            await db.WebhookDeliveries
                .Where(d => ids.Contains(d.Id) && d.Status == pending && d.LeaseUntil < now && d.NextAttemptAt <= now)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseUntil, leaseUntil).SetProperty(d => d.LeaseToken, token), ct);
            // By primary key: the lease token has no index, and a scan of the table would hold the writer (every send) up.
            return await db.WebhookDeliveries.AsNoTracking().Where(d => ids.Contains(d.Id) && d.LeaseToken == token).ToListAsync(ct);
        }, ct);
        foreach (var row in claimed)
        {
            Interlocked.Increment(ref _inFlight);
            _ = Task.Run(() => AttemptAsync(row, token, ct), CancellationToken.None);
        }
    }

    private async Task AttemptAsync(WebhookDeliveryRow row, string token, CancellationToken stopping)
    {
        Outcome outcome;
        try
        {
            var settings = await _settings.GetAsync(row.AppId, stopping);
            if (settings is null) outcome = Decide(row, token, null, "webhooks are off for this app", giveUp: true);
            else
            {
                var (status, error) = await SendAsync(row, settings, stopping);
                outcome = Decide(row, token, status, error, giveUp: false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await ReleaseAsync(row, token);
            Done(chained: false);
            return;
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Webhook delivery {DeliveryId} failed unexpectedly; its lease runs out and it is tried again",
                row.DeliveryId);
            Done(chained: false);
            return;
        }
        // Recorded by the finisher, many at a time; the slot stays taken until then.
        _outcomes.Writer.TryWrite(outcome);
    }

    private void Done(bool chained)
    {
        Interlocked.Decrement(ref _inFlight);
        if (!chained) _signal.Wake();
    }

    /// <summary>One attempt: the HTTP status (null when there was no answer) and the error (null on 2xx).</summary>
    private async Task<(int? Status, string? Error)> SendAsync(WebhookDeliveryRow row, WebhookSettings settings, CancellationToken stopping)
    {
        var body = Encoding.UTF8.GetBytes(row.Body);
        var timestamp = NowMs;
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url)
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(settings.Secret, timestamp, body));
        request.Headers.Add(DeliveryIdHeader, row.DeliveryId);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(_options.AttemptTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            Operations.ChatMetrics.WebhookAttempted(Stopwatch.GetElapsedTime(started), status is >= 200 and < 300);
            return (status, status is >= 200 and < 300 ? null : $"HTTP {status}");
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            Operations.ChatMetrics.WebhookAttempted(Stopwatch.GetElapsedTime(started), false);
            return (null, $"no answer within {_options.AttemptTimeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e)
        {
            Operations.ChatMetrics.WebhookAttempted(Stopwatch.GetElapsedTime(started), false);
            return (null, e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message);
        }
    }

    /// <summary>An attempt's result, as the finisher writes it.</summary>
    private sealed record Outcome(WebhookDeliveryRow Row, string Token, int Status, int Attempts, int? HttpStatus, string? Error,
        long At, long NextAttemptAt);

    private Outcome Decide(WebhookDeliveryRow row, string token, int? status, string? error, bool giveUp)
    {
        var now = NowMs;
        var attempts = row.Attempts + (giveUp ? 0 : 1);
        int outcome;
        var next = 0L;
        if (error is null) outcome = WebhookDeliveryRow.Delivered;
        else if (giveUp || now - row.CreatedAt >= (long)_options.GiveUpAfter.TotalMilliseconds) outcome = WebhookDeliveryRow.Failed;
        else
        {
            outcome = WebhookDeliveryRow.Pending;
            next = now + (long)RetryDelay(attempts).TotalMilliseconds;
        }
        if (error is not null && error.Length > MaxErrorLength) error = error[..MaxErrorLength];
        return new Outcome(row, token, outcome, attempts, status, error, now, next);
    }

    /// <summary>
    /// Writes finished attempts, all that are waiting in one transaction, and in the same transaction claims the next
    /// delivery of each channel an attempt finished (delivered or given up): a busy channel costs one write per delivery,
    /// which on SQLite's single writer is what limits the rate.
    /// </summary>
    private async Task FinishLoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Outcome>();
        try
        {
            while (await _outcomes.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < 256 && _outcomes.Reader.TryRead(out var o)) batch.Add(o);
                await FinishAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            while (_outcomes.Reader.TryRead(out var o)) batch.Add(o);
            try
            {
                if (batch.Count > 0) await FinishAsync(batch, CancellationToken.None, chain: false);
            }
            catch (Exception e)
            {
                _logger.LogWarning("Recording {Count} webhook attempts at shutdown failed ({Error}); they are tried again", batch.Count,
                    e.Message);
            }
        }
    }

    private async Task FinishAsync(List<Outcome> batch, CancellationToken stoppingToken, bool chain = true)
    {
        const int pending = WebhookDeliveryRow.Pending;
        var token = Guid.NewGuid().ToString("N");
        List<WebhookDeliveryRow> next;
        try
        {
            next = await _store.WriteAsync(async db =>
            {
                foreach (var o in batch)
                {
                    long? finished = o.Status == pending ? null : o.At;
                    await db.WebhookDeliveries
                        .Where(d => d.Id == o.Row.Id && d.LeaseToken == o.Token)
                        .ExecuteUpdateAsync(s => s
                            .SetProperty(d => d.Status, o.Status)
                            .SetProperty(d => d.Attempts, o.Attempts)
                            // The last failure stays readable after a later success.
                            .SetProperty(d => d.LastError, d => o.Error ?? d.LastError)
                            .SetProperty(d => d.LastStatus, o.HttpStatus)
                            .SetProperty(d => d.LastAttemptAt, (long?)o.At)
                            .SetProperty(d => d.NextAttemptAt, o.NextAttemptAt)
                            .SetProperty(d => d.FinishedAt, finished)
                            .SetProperty(d => d.UpdatedAt, o.At)
                            .SetProperty(d => d.LeaseUntil, 0L)
                            .SetProperty(d => d.LeaseToken, (string?)null), CancellationToken.None);
                }
                var claimed = new List<WebhookDeliveryRow>();
                if (!chain || stoppingToken.IsCancellationRequested) return claimed;
                var now = NowMs;
                var settled = _time.GetUtcNow().UtcTicks - _orderingDelay.Ticks;
                var leaseUntil = now + (long)_options.Lease.TotalMilliseconds;
                foreach (var o in batch)
                {
                    if (o.Status == pending) continue;
                    var (appId, key) = (o.Row.AppId, o.Row.OrderKey);
                    var head = await db.WebhookDeliveries.AsNoTracking()
                        .Where(d => d.AppId == appId && d.OrderKey == key && d.Status == pending)
                        .OrderBy(d => d.Stamp).ThenBy(d => d.Id)
                        .FirstOrDefaultAsync(CancellationToken.None);
                    if (head is null || head.NextAttemptAt > now || head.LeaseUntil >= now || head.Stamp > settled) continue;
                    var taken = await db.WebhookDeliveries
                        .Where(d => d.Id == head.Id && d.Status == pending && d.LeaseUntil < now)
                        .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseUntil, leaseUntil).SetProperty(d => d.LeaseToken, token),
                            CancellationToken.None);
                    if (taken == 1) claimed.Add(head);
                }
                return claimed;
            }, CancellationToken.None);
        }
        catch (Exception e)
        {
            // Not recorded: the leases run out and the deliveries are tried again (at least once).
            _logger.LogError(e, "Recording {Count} webhook attempts failed", batch.Count);
            foreach (var _ in batch) Done(chained: false);
            return;
        }
        foreach (var o in batch) Record(o);
        // Each chained delivery takes the slot of the attempt that freed its channel.
        for (var i = 0; i < batch.Count; i++)
        {
            if (i < next.Count)
            {
                var row = next[i];
                _ = Task.Run(() => AttemptAsync(row, token, stoppingToken), CancellationToken.None);
            }
            else Done(chained: false);
        }
    }

    private void Record(Outcome o)
    {
        if (o.Status == WebhookDeliveryRow.Pending) return;
        Operations.ChatMetrics.WebhookQueued(-1);
        if (o.Status == WebhookDeliveryRow.Delivered) Operations.ChatMetrics.WebhookDelivered();
        else
        {
            Operations.ChatMetrics.WebhookFailed();
            _logger.LogWarning("Gave up webhook delivery {DeliveryId} of app {AppId} after {Attempts} attempts: {Error}",
                o.Row.DeliveryId, o.Row.AppId, o.Attempts, o.Error);
        }
    }

    /// <summary>Stopping mid-attempt: the row is free again at once, for this node's next start or another node.</summary>
    private async Task ReleaseAsync(WebhookDeliveryRow row, string token)
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await _store.WriteAsync(db => db.WebhookDeliveries.Where(d => d.Id == row.Id && d.LeaseToken == token)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseUntil, 0L).SetProperty(d => d.LeaseToken, (string?)null), cts.Token),
                cts.Token);
        }
        catch (Exception e)
        {
            _logger.LogDebug("Releasing webhook delivery {DeliveryId} at shutdown failed ({Error}); its lease runs out instead",
                row.DeliveryId, e.Message);
        }
    }

    /// <summary>
    /// Wait after the <paramref name="attempts"/>-th failed attempt: <see cref="WebhookOptions.FirstRetryDelay"/> doubled per
    /// attempt, capped at <see cref="WebhookOptions.MaxRetryDelay"/>, then a random 50–100% of that ("equal jitter"), so
    /// receivers coming back are not met by every delivery at once.
    /// </summary>
    internal TimeSpan RetryDelay(int attempts)
    {
        var exponential = _options.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30));
        var capped = Math.Min(exponential, _options.MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + Random.Shared.NextDouble() * 0.5));
    }

    private async Task PruneAsync(CancellationToken ct)
    {
        var before = NowMs - (long)_options.LogRetention.TotalMilliseconds;
        const int pending = WebhookDeliveryRow.Pending;
        var removed = await _store.WriteAsync(db => db.WebhookDeliveries
            .Where(d => d.Status != pending && d.UpdatedAt < before).ExecuteDeleteAsync(ct), ct);
        if (removed > 0) _logger.LogInformation("Pruned {Count} webhook deliveries older than {Retention}", removed, _options.LogRetention);
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
