using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitpleLive.Bench.Mqtt;
using GitpleLive.Bench.Sys;
using GitpleLive.Bench.Targets;
using HdrHistogram;
using Spectre.Console;

namespace GitpleLive.Bench.Scenarios;

/// <summary>
/// Open channel against group channels, same run, same connections: N users (default 10,000) each connect once,
/// subscribe to their group channel (channels of M, default 50) and enter one open channel of all N. Each step offers
/// the same deliveries/s to both: the server's diagnostics generator publishes R msg/s spread over the N/M group
/// channels (R·M deliveries/s), then R·M/N msg/s to the open channel (the same deliveries/s). Both go through the same
/// event path (one encode, one subscriber lookup); the step reports deliveries/s and p50/p99 of each.
/// </summary>
public static class OpenFanoutScenario
{
    private const string OpenChannelId = "bench-open";
    private const long MaxLatencyUs = 120_000_000 - 1;

    public sealed record Phase(string Kind, int Step, int RateMessages, double OfferedDeliveries, long Sent, long Expected,
        long Received, double DeliveriesPerSecond, double P50Ms, double P99Ms, double MaxMs, double ServerCpuPercent);

    public static async Task<int> RunAsync(BenchContext ctx, CancellationToken cancellationToken)
    {
        var o = ctx.Options;
        var layout = new FanoutLayout(o.Users, o.Members, ServerHost.AppId);
        var n = layout.Users;
        Ui.Heading($"open-fanout: 1 open channel of {n:N0} participants against {layout.Channels} group channels " +
            $"of {layout.Members}");
        using var host = await ServerHost.StartAsync(ctx, "server-open-fanout", cancellationToken,
            new Dictionary<string, string> { ["GitpleLive__EnableDiagnostics"] = "true" });
        using var api = new GitpleApi(host.BaseUri, ServerHost.AppId, host.ApiKey, o.MaxInFlight);
        var users = new GitpleApi.BenchUser[n];
        var clients = new LeanMqttClient?[n];

        // Phase bookkeeping: events carry UTC ticks; a phase counts what was created after it started.
        var current = new PhaseCounters();
        long phaseStartTicks = long.MaxValue;
        void OnPublish(ReadOnlySpan<byte> topic, ReadOnlySpan<byte> payload)
        {
            if (!EventMarker.TryRead(payload, out _, out var ticks)) return;
            if (ticks < Volatile.Read(ref phaseStartTicks)) return;
            var c = Volatile.Read(ref current);
            Interlocked.Increment(ref c.Received);
            c.Latency.RecordValue(Math.Clamp((DateTime.UtcNow.Ticks - ticks) / 10, 1, MaxLatencyUs));
        }

        var settings = new LeanMqttSettings { ReceiveBufferSize = 16 * 1024, KeepAliveSeconds = 60 };
        var phases = new List<Phase>();
        var setupWatch = Stopwatch.StartNew();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Keep-alive from the first connection on: setting up 10,000 participants takes minutes, and the server closes a
        // silent connection after 1.5 keep-alive periods (which would take its user out of the open channel).
        var pinger = PingLoopAsync(clients, stop.Token);
        try
        {
            await Ui.ProgressAsync(async progress =>
            {
                var create = progress.AddTask(Ui.Esc($"create {n:N0} users, {layout.Channels} group channels, 1 open channel"),
                    maxValue: n + layout.Channels + 1);
                await Parallel.ForEachAsync(Enumerable.Range(0, n),
                    new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken },
                    async (i, token) =>
                    {
                        users[i] = await api.CreateSdkUserAsync(FanoutLayout.UserId(i), $"bench user {i}", token);
                        create.Increment(1);
                    });
                await Parallel.ForEachAsync(Enumerable.Range(0, layout.Channels),
                    new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                    async (c, token) =>
                    {
                        var members = Enumerable.Range(c * layout.Members + 1, layout.Members - 1).Select(FanoutLayout.UserId);
                        await api.CreateChannelAsync(users[layout.CreatorOf(c)], FanoutLayout.ChannelId(c), $"bench channel {c}",
                            members, token);
                        create.Increment(1);
                    });
                await PlatformAsync(api, host, HttpMethod.Put, "v1/app",
                    new JsonObject { ["max_participants_per_open_channel"] = Math.Max(n, 1) }, cancellationToken);
                await PlatformAsync(api, host, HttpMethod.Post, "v1/open/channels",
                    new JsonObject { ["channel_id"] = OpenChannelId, ["name"] = "bench open channel" }, cancellationToken);
                create.Increment(1);

                var connect = progress.AddTask(
                    Ui.Esc($"connect {n:N0} MQTT/WS clients, enter the open channel, subscribe"), maxValue: n);
                var openFilter = $"{layout.TopicPrefix}/channel/open/{OpenChannelId}/all/#";
                await Parallel.ForEachAsync(Enumerable.Range(0, n),
                    new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
                    async (i, token) =>
                    {
                        var u = users[i];
                        var client = await LeanMqttClient.ConnectAsync(
                            host.WsUri, layout.ClientId(i), u.UserId, u.SdkToken, settings, OnPublish, token);
                        clients[i] = client;
                        // A participant is someone connected who entered: connect first, then enter, then subscribe.
                        using (var enter = api.Sdk(HttpMethod.Put, $"v1/sdk/open/channels/{OpenChannelId}/enter", u.UserId, u.SdkToken))
                            await api.SendForJsonAsync(enter, token);
                        var codes = await client.SubscribeAsync([.. layout.Filters(i), openFilter], token);
                        if (codes.Any(c => c >= 0x80))
                            throw new InvalidOperationException($"subscription refused for {u.UserId}: {string.Join(',', codes)}");
                        connect.Increment(1);
                    });
            });
            var count = (await PlatformAsync(api, host, HttpMethod.Get, $"v1/open/channels/{OpenChannelId}", null, cancellationToken))
                ["participant_count"]!.GetValue<long>();
            if (count != n) throw new InvalidOperationException($"the open channel has {count} participants, not {n}");
            Ui.Info($"setup {setupWatch.Elapsed.TotalSeconds:0} s; {count:N0} participants, " +
                $"server RSS {ProcStats.RssBytes(host.Pid) / 1048576.0:0} MB");

            var groupIds = Enumerable.Range(0, layout.Channels).Select(FanoutLayout.ChannelId).ToArray();
            async Task<Phase> RunPhaseAsync(string kind, int step, int groupRate, double seconds)
            {
                var open = kind == "open";
                var rate = open ? Math.Max(1, (int)Math.Round((double)groupRate * layout.Members / n)) : groupRate;
                var fanout = open ? n : layout.Members;
                var counters = new PhaseCounters();
                Volatile.Write(ref current, counters);
                Volatile.Write(ref phaseStartTicks, DateTime.UtcNow.Ticks);
                var cpu = new CpuMeter(host.Pid);
                var whole = Math.Max(1, (int)Math.Ceiling(seconds));
                await PlatformAsync(api, host, HttpMethod.Post, "v1/diagnostics/fanout", new JsonObject
                {
                    ["channel_ids"] = new JsonArray(
                        (open ? [OpenChannelId] : groupIds).Select(id => (JsonNode)JsonValue.Create(id)!).ToArray()),
                    ["rate"] = rate,
                    ["seconds"] = whole,
                    ["content_bytes"] = o.ContentSize,
                }, cancellationToken);
                await Task.Delay(TimeSpan.FromSeconds(whole) + TimeSpan.FromMilliseconds(150), cancellationToken);
                var serverCpu = cpu.Percent();
                var sent = (await PlatformAsync(api, host, HttpMethod.Get, "v1/diagnostics/fanout", null, cancellationToken))
                    ["published"]?.GetValue<long>() ?? 0;
                await Task.Delay(TimeSpan.FromSeconds(o.GraceSeconds), cancellationToken);
                Volatile.Write(ref phaseStartTicks, long.MaxValue);
                var received = Interlocked.Read(ref counters.Received);
                var h = counters.Latency;
                var p = new Phase(kind, step, rate, (double)rate * fanout, sent, sent * fanout, received, received / (double)whole,
                    Read(h, 50), Read(h, 99), h.TotalCount == 0 ? 0 : h.GetMaxValue() / 1000.0, serverCpu);
                Ui.Info($"step {step} {kind,-5}: {rate} msg/s × {fanout:N0} = {p.OfferedDeliveries:N0} offered; " +
                    $"{p.DeliveriesPerSecond:N0} deliveries/s, p50 {p.P50Ms:0.0} ms, p99 {p.P99Ms:0.0} ms, " +
                    $"lost {Math.Max(0, p.Expected - p.Received)}, server CPU {serverCpu:0} %");
                return p;
            }

            // Warm-up (JIT) on both paths, then the steps: group, then open, at each offered rate.
            await RunPhaseAsync("group", 0, o.RateOf(1), o.WarmupSeconds / 2);
            await RunPhaseAsync("open", 0, o.RateOf(1), o.WarmupSeconds / 2);
            for (var step = 1; step <= o.MaxSteps; step++)
            {
                var rate = o.RateOf(step);
                phases.Add(await RunPhaseAsync("group", step, rate, o.StepSeconds));
                phases.Add(await RunPhaseAsync("open", step, rate, o.StepSeconds));
            }
        }
        finally
        {
            await stop.CancelAsync();
            await pinger;
            foreach (var c in clients) c?.Abort();
        }

        var table = new StringBuilder();
        table.AppendLine("| step | offered deliveries/s | group: deliveries/s | group p50 / p99 ms | open: deliveries/s | " +
            "open p50 / p99 ms | open / group deliveries | open / group p99 | lost (group / open) |");
        table.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var pair in phases.Chunk(2))
        {
            var (g, op) = (pair[0], pair[1]);
            table.AppendLine($"| {g.Step} | {g.OfferedDeliveries:N0} | {g.DeliveriesPerSecond:N0} | {g.P50Ms:0.0} / {g.P99Ms:0.0} | " +
                $"{op.DeliveriesPerSecond:N0} | {op.P50Ms:0.0} / {op.P99Ms:0.0} | " +
                $"{op.DeliveriesPerSecond / Math.Max(1, g.DeliveriesPerSecond):0.00} | {op.P99Ms / Math.Max(0.001, g.P99Ms):0.00} | " +
                $"{Math.Max(0, g.Expected - g.Received)} / {Math.Max(0, op.Expected - op.Received)} |");
        }
        AnsiConsole.WriteLine(table.ToString());
        Directory.CreateDirectory(ctx.ResultsDirectory);
        await File.WriteAllTextAsync(Path.Combine(ctx.ResultsDirectory, "open-fanout.md"), table.ToString(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(ctx.ResultsDirectory, "open-fanout.json"),
            JsonSerializer.Serialize(phases, new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
        Ui.Info($"Results: {Path.Combine(ctx.ResultsDirectory, "open-fanout.md")}");
        return host.HasExited ? 1 : 0;
    }

    private static async Task PingLoopAsync(LeanMqttClient?[] clients, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(20), cancellationToken);
                foreach (var c in clients)
                    if (c is not null && c.IsOpen) c.Enqueue(MqttFrames.PingReq);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static double Read(LongConcurrentHistogram h, double percentile)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(percentile) / 1000.0;
            }
            catch (InvalidOperationException) when (attempt < 20)
            {
                Thread.Sleep(5);
            }
        }
    }

    private static async Task<JsonNode> PlatformAsync(GitpleApi api, ServerHost host, HttpMethod method, string path, JsonNode? body,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("APP_ID", ServerHost.AppId);
        request.Headers.TryAddWithoutValidation("APP_API_KEY", host.ApiKey);
        if (body is not null)
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return await api.SendForJsonAsync(request, cancellationToken);
    }

    private sealed class PhaseCounters
    {
        public long Received;
        public readonly LongConcurrentHistogram Latency = new(1, 120_000_000, 3);
    }
}
