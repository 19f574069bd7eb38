using System.Diagnostics;
using System.Text.Json.Nodes;
using GitpleLive.Bench.Sys;
using GitpleLive.Bench.Targets;
using HdrHistogram;

namespace GitpleLive.Bench.Scenarios;

/// <summary>
/// History: one channel filled through the server's own storage path (concurrent REST sends), then
/// sequential page reads (latest, prev/next around random bases, content filter) and full-text searches. The send rate with
/// persistence is measured at 1, 8 and 64 concurrent senders while filling.
/// </summary>
public static class HistoryScenario
{
    public const string ChannelId = "bench-history";
    private static readonly int[] SenderCounts = [1, 8, 64];
    /// <summary>Messages per import request (the endpoint's maximum).</summary>
    public const int ImportBatch = 1000;

    /// <summary>Latencies (ms) of every query, by kind, for the histogram plot.</summary>
    public sealed record Samples(Dictionary<string, List<double>> ByKind);

    public static async Task<(HistoryResult Result, Samples Samples)> RunAsync(
        BenchContext ctx, ServerHost host, CancellationToken cancellationToken)
    {
        var o = ctx.Options;
        var result = new HistoryResult
        {
            RequestedMessages = o.Messages,
            LoadPath = "REST sends (POST /v1/sdk/group/channels/{id}/messages) during the send-rate windows, " +
                "the rest by Platform import (POST /v1/group/channels/{id}/messages/import, 1,000 per request)",
        };
        var samples = new Samples(new Dictionary<string, List<double>>());
        using var api = new GitpleApi(host.BaseUri, ServerHost.AppId, host.ApiKey, 128);
        var owner = await api.CreateSdkUserAsync("bench-history-a", "history a", cancellationToken);
        var other = await api.CreateSdkUserAsync("bench-history-b", "history b", cancellationToken);
        await api.CreateChannelAsync(owner, ChannelId, "history", [other.UserId], cancellationToken);

        long nextIndex = 0;
        long minId = long.MaxValue, maxId = 0;
        long errors = 0;
        var loadWatch = Stopwatch.StartNew();

        // One send: content has a three-digit word w000–w999 so a content filter matches 1 in 1,000.
        async Task<bool> SendOneAsync(LongHistogram? latency, object? latencyLock, CancellationToken token)
        {
            long i = Interlocked.Increment(ref nextIndex) - 1;
            var body = GitpleApi.TextBody($"history message {i} w{i % 1000:D3} lorem ipsum dolor sit amet");
            using var request = api.SendTextRequest(i % 2 == 0 ? owner : other, ChannelId, body);
            long t0 = Stopwatch.GetTimestamp();
            try
            {
                var answer = await api.SendForJsonAsync(request, token);
                long us = (Stopwatch.GetTimestamp() - t0) * 1_000_000 / Stopwatch.Frequency;
                if (latency is not null)
                    lock (latencyLock!) latency.RecordValue(Math.Clamp(us, 1, 60_000_000));
                long id = answer["message_id"]!.GetValue<long>();
                InterlockedMin(ref minId, id);
                InterlockedMax(ref maxId, id);
                return true;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                throw;
            }
            catch
            {
                Interlocked.Increment(ref errors);
                return false;
            }
        }

        await Ui.ProgressAsync(async progress =>
        {
            // Send rate at 1, 8 and 64 senders (these messages are part of the history too).
            foreach (var senders in SenderCounts)
            {
                var task = progress.AddTask(
                    Ui.Esc($"history: send rate with {senders} concurrent sender(s), {o.HistoryRateSeconds:0} s"), maxValue: 100);
                var latency = new LongHistogram(1, 60_000_000, 3);
                var gate = new object();
                long before = Interlocked.Read(ref nextIndex), errorsBefore = Interlocked.Read(ref errors);
                var cpu = new CpuMeter(host.Pid);
                var sw = Stopwatch.StartNew();
                using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                window.CancelAfter(TimeSpan.FromSeconds(o.HistoryRateSeconds));
                var workers = Enumerable.Range(0, senders).Select(async _ =>
                {
                    while (!window.IsCancellationRequested)
                    {
                        try { await SendOneAsync(latency, gate, CancellationToken.None); }
                        catch (OperationCanceledException) { }
                        task.Value = Math.Min(100, 100 * sw.Elapsed.TotalSeconds / o.HistoryRateSeconds);
                    }
                }).ToArray();
                await Task.WhenAll(workers);
                cancellationToken.ThrowIfCancellationRequested();
                var seconds = sw.Elapsed.TotalSeconds;
                long count = Interlocked.Read(ref nextIndex) - before;
                long errs = Interlocked.Read(ref errors) - errorsBefore;
                result.SendRates.Add(new SendRateResult(
                    Senders: senders,
                    Seconds: seconds,
                    Messages: count - errs,
                    Errors: errs,
                    MessagesPerSecond: (count - errs) / seconds,
                    P50Ms: PercentileMs(latency, 50),
                    P99Ms: PercentileMs(latency, 99),
                    ServerCpuPercent: cpu.Percent()));
                task.Value = 100;
                task.Description = Ui.Esc($"history: {senders} sender(s): {(count - errs) / seconds:N0} messages/s, {errs} errors");
            }

            // Fill the rest of the history through the Platform import endpoint: batches of up to
            // ImportBatch messages, each stored in one transaction by the server's own storage path.
            long remaining = o.Messages - Interlocked.Read(ref nextIndex);
            var fill = progress.AddTask(
                Ui.Esc($"history: import {o.Messages:N0} messages ({ImportBatch} per request, {o.ImportConcurrency} at a time)"),
                maxValue: o.Messages);
            fill.Value = Math.Min(o.Messages, Interlocked.Read(ref nextIndex));
            var importWatch = Stopwatch.StartNew();
            long imported = 0;
            if (remaining > 0)
            {
                var workers = Enumerable.Range(0, o.ImportConcurrency).Select(async _ =>
                {
                    while (true)
                    {
                        long first = Interlocked.Add(ref nextIndex, ImportBatch) - ImportBatch;
                        int count = (int)Math.Min(ImportBatch, o.Messages - first);
                        if (count <= 0) break;
                        var batch = Enumerable.Range(0, count).Select(k =>
                        {
                            long i = first + k;
                            return (i % 2 == 0 ? owner.UserId : other.UserId,
                                $"history message {i} w{i % 1000:D3} lorem ipsum dolor sit amet");
                        });
                        try
                        {
                            var (firstId, lastId) = await api.ImportAsync(ChannelId, batch, cancellationToken);
                            InterlockedMin(ref minId, firstId);
                            InterlockedMax(ref maxId, lastId);
                            Interlocked.Add(ref imported, count);
                        }
                        catch (BenchApiException)
                        {
                            Interlocked.Add(ref errors, count);
                        }
                        fill.Increment(count);
                    }
                }).ToArray();
                await Task.WhenAll(workers);
                // Indices handed out past the end by the last claims.
                if (Interlocked.Read(ref nextIndex) > o.Messages) Interlocked.Exchange(ref nextIndex, o.Messages);
            }
            result.ImportedMessages = Interlocked.Read(ref imported);
            result.ImportSeconds = importWatch.Elapsed.TotalSeconds;
            result.ImportMessagesPerSecond = result.ImportSeconds > 0 ? result.ImportedMessages / result.ImportSeconds : 0;
            fill.Value = fill.MaxValue;
        });
        result.LoadSeconds = loadWatch.Elapsed.TotalSeconds;
        result.LoadErrors = Interlocked.Read(ref errors);
        result.StoredMessages = Interlocked.Read(ref nextIndex) - result.LoadErrors;
        result.LoadMessagesPerSecond = result.StoredMessages / result.LoadSeconds;
        if (result.LoadErrors > 0) ctx.Note($"history: {result.LoadErrors} sends failed while loading.");

        // Read pages, one request at a time.
        var rng = new Random(12345);
        // History pages (PROTOCOL §5.3) and full-text search (§10) over the same messages. Every message holds the word
        // w000–w999 (1 in 1,000 match one) and its own index as a word (exactly one message matches a six-digit one).
        const string history = "v1/sdk/group/channels/" + ChannelId + "/messages?";
        const string search = "v1/sdk/search/messages?";
        long Rare() => rng.NextInt64(Math.Min(100_000, Math.Max(1, o.Messages - 1)), Math.Max(2, o.Messages));
        var kinds = new (string Name, Func<string> Path)[]
        {
            ("latest page", () => $"{history}limit={o.PageSize}"),
            ("prev around random base", () => $"{history}limit={o.PageSize}&mode=prev&base_message_id={rng.NextInt64(minId, maxId + 1)}"),
            ("next around random base", () => $"{history}limit={o.PageSize}&mode=next&base_message_id={rng.NextInt64(minId, maxId + 1)}"),
            ("content filter (1 in 1,000)", () => $"{history}limit={o.PageSize}&content=w{rng.Next(1000):D3}"),
            ("content filter (1 message)", () => $"{history}limit={o.PageSize}&content={Rare()}"),
            ("search (1 in 1,000)", () => $"{search}limit={o.PageSize}&query=w{rng.Next(1000):D3}"),
            ("search (1 message)", () => $"{search}limit={o.PageSize}&query={Rare()}"),
            ("search (two words, one channel)",
                () => $"{search}limit={o.PageSize}&query=lorem+w{rng.Next(1000):D3}&channel_id={ChannelId}"),
        };
        await Ui.ProgressAsync(async progress =>
        {
            foreach (var (name, path) in kinds)
            {
                var task = progress.AddTask(Ui.Esc($"history: {o.Queries} × {name}"), maxValue: o.Queries);
                var h = new LongHistogram(1, 60_000_000, 3);
                var list = new List<double>(o.Queries);
                int errs = 0;
                long results = 0;
                // A few untimed reads first so the first timed one does not pay for JIT.
                for (int i = -5; i < o.Queries; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using var request = api.Sdk(HttpMethod.Get, path(), owner.UserId, owner.SdkToken);
                    long t0 = Stopwatch.GetTimestamp();
                    try
                    {
                        var answer = await api.SendForJsonAsync(request, cancellationToken);
                        long us = (Stopwatch.GetTimestamp() - t0) * 1_000_000 / Stopwatch.Frequency;
                        if (i < 0) continue;
                        h.RecordValue(Math.Clamp(us, 1, 60_000_000));
                        list.Add(us / 1000.0);
                        results += (answer["messages"] as JsonArray)?.Count ?? 0;
                    }
                    catch (BenchApiException)
                    {
                        if (i >= 0) errs++;
                    }
                    if (i >= 0) task.Increment(1);
                }
                samples.ByKind[name] = list;
                bool none = h.TotalCount == 0;
                result.Queries.Add(new LatencySummary(
                    Name: name,
                    Count: (int)h.TotalCount,
                    Errors: errs,
                    P50Ms: PercentileMs(h, 50),
                    P90Ms: PercentileMs(h, 90),
                    P99Ms: PercentileMs(h, 99),
                    MaxMs: none ? 0 : h.GetMaxValue() / 1000.0,
                    MeanMs: none ? 0 : h.GetMean() / 1000.0,
                    AverageResults: none ? 0 : results / (double)h.TotalCount));
                task.Description = Ui.Esc(
                    $"history: {name}: p50 {result.Queries[^1].P50Ms:0.00} ms, p99 {result.Queries[^1].P99Ms:0.00} ms");
            }
        });
        result.ServerRssMb = ProcStats.RssBytes(host.Pid) / 1048576.0;
        result.DataDirectoryMb = DirectorySize(host.DataDirectory) / 1048576.0;
        return (result, samples);
    }

    /// <summary>A percentile of a histogram of microseconds, in milliseconds; 0 when it holds nothing.</summary>
    private static double PercentileMs(HistogramBase histogram, double percentile) =>
        histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(percentile) / 1000.0;

    private static long DirectorySize(string dir)
    {
        try
        {
            return new DirectoryInfo(dir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        }
        catch
        {
            return 0;
        }
    }

    private static void InterlockedMin(ref long target, long value)
    {
        long current;
        while (value < (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current) { }
    }
}
