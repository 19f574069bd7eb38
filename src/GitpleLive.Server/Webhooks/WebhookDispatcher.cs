using System.Data;
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
    private readonly StoreWriter _writer;
    private readonly WebhookSettingsCache _settings;
    private readonly WebhookSignal _signal;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly TimeSpan _orderingDelay;
    private readonly HttpClient _http;
    private int _inFlight;
    // Woken when an attempt ends without a chained successor: a slot of its app is free again.
    private readonly WebhookSignal _slotFreed = new();
    private readonly System.Threading.Channels.Channel<Outcome> _outcomes =
        System.Threading.Channels.Channel.CreateUnbounded<Outcome>(new() { SingleReader = true });

    public WebhookDispatcher(ChatStore store, StoreWriter writer, WebhookSettingsCache settings, WebhookSignal signal,
        WebhookOptions options, ChatServerOptions server, TimeProvider time, ILogger<WebhookDispatcher> logger)
    {
        _store = store;
        _writer = writer;
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
                await ExpandInboxAsync(stoppingToken);
                var free = _options.MaxInFlight - Volatile.Read(ref _inFlight);
                var limited = free <= 0 || !await ClaimAndStartAsync(free, stoppingToken);
                // Woken by this node's new deliveries and finished attempts; other nodes' rows are found by polling. A round
                // that found deliveries but could start none (every one's app at its limit, or this node's slots all taken)
                // waits for a slot instead: new deliveries cannot start before one frees, and under load they arrive with
                // every commit, so waking for each would run the due scan hundreds of times a second for nothing.
                await (limited ? _slotFreed : _signal).WaitAsync(_options.PollInterval, stoppingToken);
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

    /// <summary>
    /// Turns the committed batches' inbox rows (every node's) into delivery rows, many per write, before a claim round: a
    /// read first, so a round with nothing new costs the writer nothing.
    /// </summary>
    private async Task ExpandInboxAsync(CancellationToken ct)
    {
        while (await _store.ReadAsync(db => db.WebhookInbox.AnyAsync(ct), ct)
            && await _writer.WriteAsync(WebhookInbox.ExpandAsync, cancellationToken: ct) == WebhookInbox.ExpandLimit)
        {
        }
    }

    private sealed record Candidate(long Id, string AppId);

    /// <summary>Claims and starts due deliveries; false when there were some but none could start (the limits).</summary>
    private async Task<bool> ClaimAndStartAsync(int free, CancellationToken ct)
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
        if (candidates.Count == 0) return true;

        // Each app's limit counts the leases every node holds.
        var apps = candidates.Select(c => c.AppId).Distinct().ToList();
        var busy = await _store.ReadAsync(db => db.WebhookDeliveries
            // "LeaseUntil > 0" is implied by ">= now"; written out, it lets SQLite count from the index of leased rows.
            .Where(d => d.Status == pending && d.LeaseUntil > 0 && d.LeaseUntil >= now && apps.Contains(d.AppId))
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
        if (ids.Count == 0) return false;

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
        return true;
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
        if (chained) return;
        _signal.Wake();
        _slotFreed.Wake();
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

    // The finisher's statements, raw and prepared on the writer's connection: it runs once per finished attempt.
    private const string FinishSql = """
        UPDATE webhook_deliveries SET "Status" = @s, "Attempts" = @n, "LastError" = COALESCE(@e, "LastError"), "LastStatus" = @hs,
            "LastAttemptAt" = @at, "NextAttemptAt" = @next, "FinishedAt" = @fin, "UpdatedAt" = @at, "LeaseUntil" = 0, "LeaseToken" = NULL
        WHERE "Id" = @id AND "LeaseToken" = @t
        """;

    private static readonly (string, DbType)[] FinishParameters =
    [
        ("@s", DbType.Int32), ("@n", DbType.Int32), ("@e", DbType.String), ("@hs", DbType.Int32), ("@at", DbType.Int64),
        ("@next", DbType.Int64), ("@fin", DbType.Int64), ("@id", DbType.Int64), ("@t", DbType.String),
    ];

    // A channel's next pending delivery; "Status" = 0 written out, as the index of pending rows is filtered.
    private const string HeadSql = """
        SELECT "Id", "DeliveryId", "AppId", "Category", "OrderKey", "Stamp", "Body", "Attempts", "NextAttemptAt", "LeaseUntil",
            "CreatedAt"
        FROM webhook_deliveries WHERE "AppId" = @a AND "OrderKey" = @k AND "Status" = 0 ORDER BY "Stamp", "Id" LIMIT 1
        """;

    private static readonly (string, DbType)[] HeadParameters = [("@a", DbType.String), ("@k", DbType.String)];

    private const string LeaseSql = """
        UPDATE webhook_deliveries SET "LeaseUntil" = @l, "LeaseToken" = @t WHERE "Id" = @id AND "Status" = 0 AND "LeaseUntil" < @now
        """;

    private static readonly (string, DbType)[] LeaseParameters =
        [("@l", DbType.Int64), ("@t", DbType.String), ("@id", DbType.Int64), ("@now", DbType.Int64)];

    private async Task FinishAsync(List<Outcome> batch, CancellationToken stoppingToken, bool chain = true)
    {
        var token = Guid.NewGuid().ToString("N");
        List<WebhookDeliveryRow> next;
        try
        {
            next = await _writer.WriteAsync(async scope =>
            {
                foreach (var o in batch)
                {
                    var finish = scope.Command(FinishSql, FinishParameters);
                    var p = finish.Parameters;
                    p[0].Value = o.Status;
                    p[1].Value = o.Attempts;
                    // The last failure stays readable after a later success.
                    p[2].Value = (object?)o.Error ?? DBNull.Value;
                    p[3].Value = (object?)o.HttpStatus ?? DBNull.Value;
                    p[4].Value = o.At;
                    p[5].Value = o.NextAttemptAt;
                    p[6].Value = o.Status == WebhookDeliveryRow.Pending ? DBNull.Value : o.At;
                    p[7].Value = o.Row.Id;
                    p[8].Value = o.Token;
                    await finish.ExecuteNonQueryAsync(CancellationToken.None);
                }
                var claimed = new List<WebhookDeliveryRow>();
                if (!chain || stoppingToken.IsCancellationRequested) return claimed;
                // A channel's next delivery may still be in the inbox: taken in now, it can be chained at once.
                await WebhookInbox.ExpandAsync(scope);
                var now = NowMs;
                var settled = _time.GetUtcNow().UtcTicks - _orderingDelay.Ticks;
                var leaseUntil = now + (long)_options.Lease.TotalMilliseconds;
                foreach (var o in batch)
                {
                    if (o.Status == WebhookDeliveryRow.Pending) continue;
                    var head = await HeadAsync(scope, o.Row.AppId, o.Row.OrderKey);
                    if (head is null || head.NextAttemptAt > now || head.LeaseUntil >= now || head.Stamp > settled) continue;
                    var lease = scope.Command(LeaseSql, LeaseParameters);
                    var p = lease.Parameters;
                    p[0].Value = leaseUntil;
                    p[1].Value = token;
                    p[2].Value = head.Id;
                    p[3].Value = now;
                    if (await lease.ExecuteNonQueryAsync(CancellationToken.None) == 1) claimed.Add(head);
                }
                return claimed;
            }, cancellationToken: CancellationToken.None);
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

    private static async Task<WebhookDeliveryRow?> HeadAsync(WriteScope scope, string appId, string orderKey)
    {
        var select = scope.Command(HeadSql, HeadParameters);
        select.Parameters[0].Value = appId;
        select.Parameters[1].Value = orderKey;
        await using var r = await select.ExecuteReaderAsync(CancellationToken.None);
        if (!await r.ReadAsync(CancellationToken.None)) return null;
        return new WebhookDeliveryRow
        {
            Id = r.GetInt64(0), DeliveryId = r.GetString(1), AppId = r.GetString(2), Category = r.GetString(3), OrderKey = r.GetString(4),
            Stamp = r.GetInt64(5), Body = r.GetString(6), Status = WebhookDeliveryRow.Pending, Attempts = r.GetInt32(7),
            NextAttemptAt = r.GetInt64(8), LeaseUntil = r.GetInt64(9), CreatedAt = r.GetInt64(10),
        };
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
