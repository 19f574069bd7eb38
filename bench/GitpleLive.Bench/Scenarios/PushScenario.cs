using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitpleLive.Bench.Targets;
using HdrHistogram;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GitpleLive.Bench.Scenarios;

/// <summary>
/// <b>push</b>: the server (child process) with its webhook push provider pointed at a local receiver (Kestrel on
/// 127.0.0.1, answers 200 at once). 1,000 offline recipients with one device token each, in 10 channels of 100 plus the
/// sender. Each message's content carries its send time, so the receiver measures send → provider request. Three parts:
/// paced sends (p50/p99 at an easy rate), a burst (pushes/s the dispatcher sustains) and the REST send rate with push
/// configured and not, alternated in one run.
/// </summary>
public static class PushScenario
{
    public const string Name = "push";
    private const int Channels = 10;

    public sealed record Result(int Recipients, int PacedMessages, double PacedRate, double PacedP50Ms, double PacedP99Ms,
        int BurstMessages, double BurstPushesPerSecond, double BurstP99Ms, double SendRateWithout, double SendRateWith,
        double SendPathRateWithout, double SendPathRateWith);

    public static async Task<Result> RunAsync(BenchContext ctx, CancellationToken cancellationToken)
    {
        var quick = ctx.Options.Quick;
        var recipients = quick ? 100 : 1000;
        var perChannel = recipients / Channels;
        await using var receiver = await Receiver.StartAsync();
        using var host = await ServerHost.StartAsync(ctx, "server-push", cancellationToken);
        using var api = new GitpleApi(host.BaseUri, ServerHost.AppId, host.ApiKey);
        var ct = cancellationToken;

        Ui.Info($"push: creating {recipients:N0} recipients with device tokens");
        await PlatformAsync(api, host, HttpMethod.Put, "v1/app", new JsonObject { ["max_members_per_channel"] = recipients + 10 }, ct);
        var sender = await api.CreateSdkUserAsync("push-sender", "Sender", ct);
        var ids = Enumerable.Range(0, recipients).Select(i => $"push-r{i:D4}").ToList();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (id, token) =>
        {
            var user = await api.CreateSdkUserAsync(id, id, token);
            using var register = api.Sdk(HttpMethod.Post, "v1/sdk/users/device_token", user.UserId, user.SdkToken,
                new JsonObject { ["token"] = "bench-" + id, ["platform"] = "android" });
            await api.SendForJsonAsync(register, token);
        });
        var channels = new List<string>();
        for (var c = 0; c < Channels; c++)
        {
            var members = new JsonArray(ids.Skip(c * perChannel).Take(perChannel).Prepend(sender.UserId)
                .Select(m => (JsonNode)JsonValue.Create(m)!).ToArray());
            await PlatformAsync(api, host, HttpMethod.Post, "v1/group/channels",
                new JsonObject { ["channel_id"] = $"push-ch{c}", ["name"] = $"Push {c}", ["members"] = members }, ct);
            channels.Add($"push-ch{c}");
        }
        var webhook = new JsonObject { ["url"] = $"{receiver.BaseUrl}/push", ["secret"] = "bench-secret-0123456789" };
        await PlatformAsync(api, host, HttpMethod.Put, "v1/app/push", new JsonObject { ["webhook"] = webhook }, ct);

        async Task<int> SendAsync(int seq)
        {
            var content = $"push:{Stopwatch.GetTimestamp()}:{seq}";
            using var request = api.SendTextRequest(sender, channels[seq % channels.Count], GitpleApi.TextBody(content));
            await api.SendForJsonAsync(request, ct);
            return perChannel;
        }

        // Warm-up: the JIT and the connection pools, then forget what arrived.
        var expected = 0;
        for (var i = 0; i < 5; i++) expected += await SendAsync(i);
        await receiver.WaitAsync(expected, TimeSpan.FromSeconds(60), ct);
        receiver.Reset();

        // Paced: an easy rate, the latency a user sees.
        var paced = quick ? 6 : 20;
        const double pacedRate = 2;
        Ui.Info($"push: {paced} messages at {pacedRate}/s ({paced * perChannel:N0} pushes)");
        expected = 0;
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < paced; i++)
        {
            var due = start + (long)(i / pacedRate * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
            expected += await SendAsync(100 + i);
        }
        await receiver.WaitAsync(expected, TimeSpan.FromSeconds(120), ct);
        var pacedLatency = receiver.Snapshot();
        receiver.Reset();

        // Burst: messages as fast as one sender posts them; pushes/s from the first send to the last push.
        var burst = quick ? 10 : 40;
        Ui.Info($"push: a burst of {burst} messages ({burst * perChannel:N0} pushes)");
        expected = 0;
        var burstStart = Stopwatch.GetTimestamp();
        for (var i = 0; i < burst; i++) expected += await SendAsync(1000 + i);
        var last = await receiver.WaitAsync(expected, TimeSpan.FromSeconds(300), ct);
        var burstSeconds = Stopwatch.GetElapsedTime(burstStart, last).TotalSeconds;
        var burstLatency = receiver.Snapshot();

        // The send path with push configured and without, alternated so drift on a shared machine hits both alike.
        var window = TimeSpan.FromSeconds(quick ? 2 : 8);
        var (without, with) = await CompareSendRatesAsync(api, host, sender, ids[0], webhook, window, ct);

        // The same on a node that does not dispatch (another node would): the send path's own cost, the outbox row.
        using var quiet = await ServerHost.StartAsync(ctx, "server-push-no-dispatcher", cancellationToken,
            new Dictionary<string, string> { ["GitpleLive__Push__EnableDispatcher"] = "false" });
        using var quietApi = new GitpleApi(quiet.BaseUri, ServerHost.AppId, quiet.ApiKey);
        var quietSender = await quietApi.CreateSdkUserAsync("push-sender", "Sender", ct);
        var quietRecipient = await quietApi.CreateSdkUserAsync(ids[0], ids[0], ct);
        using (var register = quietApi.Sdk(HttpMethod.Post, "v1/sdk/users/device_token", quietRecipient.UserId, quietRecipient.SdkToken,
            new JsonObject { ["token"] = "bench-" + ids[0], ["platform"] = "android" }))
            await quietApi.SendForJsonAsync(register, ct);
        var (quietWithout, quietWith) = await CompareSendRatesAsync(quietApi, quiet, quietSender, ids[0], webhook, window, ct);

        return new Result(recipients, paced, pacedRate, Ms(pacedLatency, 50), Ms(pacedLatency, 99),
            burst, burst * perChannel / burstSeconds, Ms(burstLatency, 99), without, with, quietWithout, quietWith);
    }

    /// <summary>Send rates (messages/s) without and with push configured, two rounds each, alternated.</summary>
    private static async Task<(double Without, double With)> CompareSendRatesAsync(GitpleApi api, ServerHost host,
        GitpleApi.BenchUser sender, string recipient, JsonObject webhook, TimeSpan window, CancellationToken ct)
    {
        const string channel = "push-rate";
        await PlatformAsync(api, host, HttpMethod.Post, "v1/group/channels", new JsonObject
        {
            ["channel_id"] = channel, ["name"] = "Rate", ["members"] = new JsonArray(sender.UserId, recipient),
        }, ct);
        double with = 0, without = 0;
        for (var round = 0; round < 2; round++)
            foreach (var on in new[] { false, true })
            {
                await PlatformAsync(api, host, HttpMethod.Put, "v1/app/push",
                    new JsonObject { ["webhook"] = on ? webhook.DeepClone() : null }, ct);
                var rate = await SendRateAsync(api, sender, channel, window, ct);
                if (on) with += rate / 2; else without += rate / 2;
                Ui.Info($"push: send rate {(on ? "with" : "without")} push {rate:N0} messages/s");
            }
        return (without, with);
    }

    private static double Ms(LongHistogram h, double percentile) =>
        h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(percentile) / 1000.0;

    /// <summary>Messages/s of 8 concurrent senders for <paramref name="window"/>.</summary>
    private static async Task<double> SendRateAsync(GitpleApi api, GitpleApi.BenchUser sender, string channel, TimeSpan window,
        CancellationToken ct)
    {
        var body = GitpleApi.TextBody("rate");
        var count = 0;
        var until = Stopwatch.GetTimestamp() + (long)(window.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (Stopwatch.GetTimestamp() < until)
            {
                using var request = api.SendTextRequest(sender, channel, body);
                await api.SendForJsonAsync(request, ct);
                Interlocked.Increment(ref count);
            }
        }));
        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task PlatformAsync(GitpleApi api, ServerHost host, HttpMethod method, string path, JsonObject body,
        CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("APP_ID", ServerHost.AppId);
        request.Headers.TryAddWithoutValidation("APP_API_KEY", host.ApiKey);
        await api.SendForJsonAsync(request, ct);
    }

    /// <summary>The webhook provider's receiver: counts pushes and records send → request latency from the content.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly object _lock = new();
        private LongHistogram _latency = new(1, 600_000_000, 3);
        private int _count;
        private long _lastAt;

        public int Port { get; }
        public string BaseUrl => $"http://127.0.0.1:{Port}";

        private Receiver(int port)
        {
            Port = port;
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
            _app = builder.Build();
            _app.Run(HandleAsync);
        }

        public static async Task<Receiver> StartAsync()
        {
            var receiver = new Receiver(Sys.ChildProcess.FreePort());
            await receiver._app.StartAsync();
            return receiver;
        }

        private async Task HandleAsync(HttpContext http)
        {
            var now = Stopwatch.GetTimestamp();
            using var doc = await JsonDocument.ParseAsync(http.Request.Body);
            var text = doc.RootElement.GetProperty("body").GetString() ?? "";
            var parts = text.Split(':');
            lock (_lock)
            {
                if (parts.Length == 3 && long.TryParse(parts[1], out var sentAt))
                    _latency.RecordValue(Math.Max(1, (long)Stopwatch.GetElapsedTime(sentAt, now).TotalMicroseconds));
                _count++;
                _lastAt = now;
            }
            http.Response.StatusCode = 200;
        }

        /// <summary>Waits until <paramref name="count"/> pushes arrived; returns the timestamp of the last one.</summary>
        public async Task<long> WaitAsync(int count, TimeSpan timeout, CancellationToken cancellationToken)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                lock (_lock) if (_count >= count) return _lastAt;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"{_count} of {count} pushes arrived");
                await Task.Delay(20, cancellationToken);
            }
        }

        public LongHistogram Snapshot()
        {
            lock (_lock) return (LongHistogram)_latency.Copy();
        }

        public void Reset()
        {
            lock (_lock)
            {
                _latency = new LongHistogram(1, 600_000_000, 3);
                _count = 0;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
