using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitpleLive.Bench.Mqtt;
using GitpleLive.Bench.Targets;
using HdrHistogram;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitpleLive.Bench.Scenarios;

/// <summary>
/// Webhooks: REST sends spread over many channels, in three windows of the same run — webhooks off, on (every change
/// POSTed to a local receiver that checks each signature), off again — giving the send rate with and without webhooks,
/// the receiver's deliveries/s, and the latency from the send call to the receiver's request (p50/p99).
/// Then a backlog: the receiver refuses (503) while a batch of sends is queued, and the drain rate is measured when it
/// accepts again.
/// </summary>
public static class WebhookScenario
{
    private const string Secret = "bench-webhook-secret-0123456789";
    private const int Senders = 16;

    public sealed record Result(double SendsOff1, double SendsOn, double SendsOff2, double DeliveriesPerSecond, long Delivered,
        long Sent, double P50Ms, double P99Ms, double MaxMs, long BadSignatures, long Backlog, double DrainPerSecond)
    {
        /// <summary>
        /// On a node that does not deliver (<c>GitpleLive__Webhooks__EnableDispatcher=false</c>; another node would): the
        /// send rate with webhooks off and on, two windows each, alternated — the send path's own cost, the delivery row.
        /// </summary>
        public (double Off, double On) SendPath { get; init; }

        /// <summary>
        /// The same with one member online, subscribed to every channel: the fan-out then serialises each send's payload,
        /// which the webhook body reuses, so what remains is the delivery itself.
        /// </summary>
        public (double Off, double On) SendPathOnline { get; init; }
    }

    /// <summary>The server settings of this scenario: quick retries, so the backlog drains soon after the receiver is back.</summary>
    public static readonly IReadOnlyDictionary<string, string> ServerEnv = new Dictionary<string, string>
    {
        ["GitpleLive__Webhooks__FirstRetryDelay"] = "00:00:00.500",
        ["GitpleLive__Webhooks__MaxRetryDelay"] = "00:00:00.500",
    };

    private static int Channels(BenchOptions o) => o.Quick ? 8 : 64;

    public static async Task<Result> RunAsync(BenchContext ctx, ServerHost host, CancellationToken cancellationToken)
    {
        var o = ctx.Options;
        var seconds = o.Quick ? 3 : Math.Max(5, o.StepSeconds);
        var channels = Channels(o);
        await using var receiver = await Receiver.StartAsync();
        var (result, sendFor, setWebhooks, _) = await PrepareAsync(host, receiver, channels, cancellationToken);
        using (result)
        {
            var r = await MeasureAsync(ctx, seconds, receiver, sendFor, setWebhooks, cancellationToken);

            // The send path alone: a second node that stores deliveries and leaves them to a delivering node.
            var quietEnv = new Dictionary<string, string>(ServerEnv) { ["GitpleLive__Webhooks__EnableDispatcher"] = "false" };
            using var quiet = await ServerHost.StartAsync(ctx, "server-webhooks-no-dispatcher", cancellationToken, quietEnv);
            var (quietApi, quietSend, quietSet, member) = await PrepareAsync(quiet, receiver, channels, cancellationToken);
            using (quietApi)
            {
                var window = TimeSpan.FromSeconds(seconds);
                await quietSend(TimeSpan.FromSeconds(o.Quick ? 1 : 3));
                async Task<(double Off, double On)> AlternateAsync()
                {
                    double off = 0, on = 0;
                    for (var round = 0; round < 2; round++)
                    {
                        off += await quietSend(window) / window.TotalSeconds;
                        await quietSet(true);
                        on += await quietSend(window) / window.TotalSeconds;
                        await quietSet(false);
                    }
                    return (off / 2, on / 2);
                }
                var alone = await AlternateAsync();
                await using var online = await OnlineAsync(quiet, member, channels, cancellationToken);
                var withOnline = await AlternateAsync();
                if (online.PublishesReceived == 0) ctx.Note("webhooks: the member online received no message");
                return r with { SendPath = alone, SendPathOnline = withOnline };
            }
        }
    }

    /// <summary>Connects <paramref name="member"/> over MQTT/WS, subscribed to its user topic and every channel of the scenario.</summary>
    private static async Task<LeanMqttClient> OnlineAsync(ServerHost host, GitpleApi.BenchUser member, int channels,
        CancellationToken cancellationToken)
    {
        var prefix = FanoutLayout.PrefixOf(ServerHost.AppId);
        var filters = new List<string> { $"{prefix}/user/all/{member.UserId}/#" };
        for (var c = 0; c < channels; c++) filters.Add($"{prefix}/channel/group/bench-hook-{c}/all/#");
        var clientId = FanoutLayout.ClientIdOf(ServerHost.AppId, member.UserId);
        var client = await LeanMqttClient.ConnectAsync(host.WsUri, clientId, member.UserId, member.SdkToken, new LeanMqttSettings(), null,
            cancellationToken);
        var codes = await client.SubscribeAsync(filters, cancellationToken);
        if (codes.Any(c => c >= 0x80)) throw new InvalidOperationException($"subscription refused: {string.Join(',', codes)}");
        return client;
    }

    /// <summary>
    /// The scenario's users and channels on <paramref name="host"/>, and its two moves there: send for a while (16 senders
    /// over the channels; returns how many were sent) and turn the app's webhooks on or off; and its member who can be online.
    /// </summary>
    private static async Task<(GitpleApi Api, Func<TimeSpan, Task<long>> SendFor, Func<bool, Task> SetWebhooks, GitpleApi.BenchUser Member)>
        PrepareAsync(ServerHost host, Receiver receiver, int channels, CancellationToken cancellationToken)
    {
        var api = new GitpleApi(host.BaseUri, ServerHost.AppId, host.ApiKey, 64);
        var a = await api.CreateSdkUserAsync("bench-hook-a", "hooks a", cancellationToken);
        var b = await api.CreateSdkUserAsync("bench-hook-b", "hooks b", cancellationToken);
        for (var c = 0; c < channels; c++) await api.CreateChannelAsync(a, $"bench-hook-{c}", "hooks", [b.UserId], cancellationToken);

        async Task<long> SendForAsync(TimeSpan duration)
        {
            long sent = 0;
            var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
            await Task.WhenAll(Enumerable.Range(0, Senders).Select(async s =>
            {
                var i = s;
                while (Stopwatch.GetTimestamp() < until)
                {
                    var body = GitpleApi.TextBody("t" + Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture));
                    using var request = api.SendTextRequest(i % 2 == 0 ? a : b, $"bench-hook-{i % channels}", body);
                    await api.SendForJsonAsync(request, cancellationToken);
                    Interlocked.Increment(ref sent);
                    i += Senders;
                }
            }));
            return sent;
        }

        async Task SetWebhooksAsync(bool on)
        {
            using var request = new HttpRequestMessage(on ? HttpMethod.Put : HttpMethod.Delete, "v1/app/webhooks");
            if (on)
                request.Content = new StringContent(
                    new JsonObject { ["url"] = receiver.Url, ["secret"] = Secret, ["categories"] = new JsonArray("group:message_send") }
                        .ToJsonString(), Encoding.UTF8, "application/json");
            request.Headers.TryAddWithoutValidation("APP_ID", ServerHost.AppId);
            request.Headers.TryAddWithoutValidation("APP_API_KEY", host.ApiKey);
            await api.SendForJsonAsync(request, cancellationToken);
        }

        return (api, SendForAsync, SetWebhooksAsync, b);
    }

    private static async Task<Result> MeasureAsync(BenchContext ctx, double seconds, Receiver receiver,
        Func<TimeSpan, Task<long>> sendFor, Func<bool, Task> setWebhooks, CancellationToken cancellationToken)
    {
        var o = ctx.Options;
        var window = TimeSpan.FromSeconds(seconds);
        await sendFor(TimeSpan.FromSeconds(o.Quick ? 1 : 3)); // warm-up (JIT, connections)
        Ui.Info($"webhooks off: {Senders} senders over {Channels(o)} channels for {seconds} s");
        var off1 = await sendFor(window) / window.TotalSeconds;

        await setWebhooks(true);
        Ui.Info("webhooks on (every message_send POSTed to a local receiver)");
        receiver.Reset();
        var started = Stopwatch.GetTimestamp();
        var sentOn = await sendFor(window);
        var on = sentOn / window.TotalSeconds;
        var drainDeadline = DateTime.UtcNow.AddSeconds(120);
        while (receiver.Delivered < sentOn && DateTime.UtcNow < drainDeadline) await Task.Delay(50, cancellationToken);
        var deliveredOn = receiver.Delivered;
        var deliveryRate = deliveredOn / Stopwatch.GetElapsedTime(started, receiver.LastAt).TotalSeconds;
        var (p50, p99, max) = receiver.Latency();

        // Backlog: the receiver refuses while sends queue up; then its drain rate.
        receiver.Refuse = true;
        var backlog = await sendFor(TimeSpan.FromSeconds(o.Quick ? 1 : 5));
        await Task.Delay(1000, cancellationToken);
        receiver.Reset();
        receiver.Refuse = false;
        var drainStart = Stopwatch.GetTimestamp();
        drainDeadline = DateTime.UtcNow.AddSeconds(180);
        while (receiver.Delivered < backlog && DateTime.UtcNow < drainDeadline) await Task.Delay(20, cancellationToken);
        var drained = receiver.Delivered;
        var drainRate = drained / Stopwatch.GetElapsedTime(drainStart, receiver.LastAt).TotalSeconds;

        await setWebhooks(false);
        Ui.Info("webhooks off again");
        var off2 = await sendFor(window) / window.TotalSeconds;

        if (deliveredOn < sentOn) ctx.Note($"webhooks: only {deliveredOn} of {sentOn} deliveries arrived within 120 s of the window");
        if (drained < backlog) ctx.Note($"webhooks: only {drained} of {backlog} backlog deliveries drained within 180 s");
        return new Result(off1, on, off2, deliveryRate, deliveredOn, sentOn, p50, p99, max, receiver.BadSignatures, backlog, drainRate);
    }

    /// <summary>Writes the figures to the console and <c>webhooks.md</c> in the results folder.</summary>
    public static async Task ReportAsync(BenchContext ctx, Result r, CancellationToken cancellationToken)
    {
        var offMean = (r.SendsOff1 + r.SendsOff2) / 2;
        var lines = new[]
        {
            "| figure | value |",
            "|---|---:|",
            $"| REST send rate, webhooks off (first window) | {r.SendsOff1:0} msg/s |",
            $"| REST send rate, webhooks on (every send delivered) | {r.SendsOn:0} msg/s |",
            $"| REST send rate, webhooks off (last window) | {r.SendsOff2:0} msg/s |",
            $"| send rate on / mean of off | {r.SendsOn / offMean:0.00} |",
            $"| deliveries/s while sending (delivered {r.Delivered:N0} of {r.Sent:N0}) | {r.DeliveriesPerSecond:0} |",
            $"| send → receiver request p50 / p99 / max | {r.P50Ms:0.0} / {r.P99Ms:0.0} / {r.MaxMs:0.0} ms |",
            $"| backlog drain ({r.Backlog:N0} queued while the receiver answered 503) | {r.DrainPerSecond:0} deliveries/s |",
            $"| requests with a bad signature | {r.BadSignatures} |",
            $"| send path alone (node without dispatcher), webhooks off / on (msg/s) | {r.SendPath.Off:0} / {r.SendPath.On:0} |",
            $"| send path alone: on / off | {(r.SendPath.Off == 0 ? 0 : r.SendPath.On / r.SendPath.Off):0.00} |",
            "| send path alone, one member online (every send fanned out to it): off / on (msg/s) | "
                + $"{r.SendPathOnline.Off:0} / {r.SendPathOnline.On:0} |",
            "| send path alone, one member online: on / off | "
                + $"{(r.SendPathOnline.Off == 0 ? 0 : r.SendPathOnline.On / r.SendPathOnline.Off):0.00} |",
        };
        foreach (var line in lines) Ui.Info(Ui.Esc(line));
        await File.WriteAllLinesAsync(Path.Combine(ctx.ResultsDirectory, "webhooks.md"), lines, cancellationToken);
    }

    /// <summary>The app backend: Kestrel on 127.0.0.1, checking every signature, recording latency from the send.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly object _gate = new();
        private LongHistogram _latency = new(1, 600_000_000, 3);
        private long _delivered, _lastAt, _bad;

        private Receiver(WebApplication app) => _app = app;

        public bool Refuse { get; set; }
        public long Delivered => Interlocked.Read(ref _delivered);
        public long LastAt => Interlocked.Read(ref _lastAt);
        public long BadSignatures => Interlocked.Read(ref _bad);

        public string Url =>
            _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";

        public static async Task<Receiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.MapPost("/hook", receiver.HandleAsync);
            await app.StartAsync();
            return receiver;
        }

        public void Reset()
        {
            lock (_gate) _latency = new LongHistogram(1, 600_000_000, 3);
            Interlocked.Exchange(ref _delivered, 0);
        }

        public (double P50, double P99, double Max) Latency()
        {
            lock (_gate)
                return _latency.TotalCount == 0 ? (0, 0, 0)
                    : (_latency.GetValueAtPercentile(50) / 1000.0, _latency.GetValueAtPercentile(99) / 1000.0,
                        _latency.GetMaxValue() / 1000.0);
        }

        private async Task HandleAsync(HttpContext http)
        {
            var now = Stopwatch.GetTimestamp();
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            var bytes = buffer.ToArray();
            var stamp = http.Request.Headers["X-GitpleLive-Timestamp"].ToString();
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret),
                (byte[])[.. Encoding.UTF8.GetBytes(stamp + "."), .. bytes]));
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected),
                    Encoding.ASCII.GetBytes(http.Request.Headers["X-GitpleLive-Signature"].ToString())))
            {
                Interlocked.Increment(ref _bad);
                http.Response.StatusCode = 401;
                return;
            }
            if (Refuse)
            {
                http.Response.StatusCode = 503;
                return;
            }
            using var doc = JsonDocument.Parse(bytes);
            var content = doc.RootElement.GetProperty("message").GetProperty("content").GetString()!;
            var sentAt = long.Parse(content.AsSpan(1), CultureInfo.InvariantCulture);
            var us = (now - sentAt) * 1_000_000 / Stopwatch.Frequency;
            lock (_gate) _latency.RecordValue(Math.Clamp(us, 1, 600_000_000));
            Interlocked.Increment(ref _delivered);
            Interlocked.Exchange(ref _lastAt, Stopwatch.GetTimestamp());
            http.Response.StatusCode = 200;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
