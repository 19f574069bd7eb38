using GitpleLive.TestHost;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GitpleLive.Server.Events;
using Xunit.Abstractions;

namespace GitpleLive.Realtime.Tests;

/// <summary>
/// Measurements, not checks: they run only with <c>GITPLELIVE_MEASURE=1</c> (skipped otherwise) and print their figures.
/// <c>GITPLELIVE_SERVER_DLL</c> names the server build the memory figure is taken from (default: the Release
/// ReadyToRun publish at <c>/tmp/gl-r2r</c>, made with <c>dotnet publish src/GitpleLive.Server -c Release -r linux-x64 -o /tmp/gl-r2r</c>).
/// </summary>
public sealed class Measurements(ITestOutputHelper output)
{
    private const string SkipReason = "a measurement: set GITPLELIVE_MEASURE=1 to run it";

    private static bool Enabled => Environment.GetEnvironmentVariable("GITPLELIVE_MEASURE") == "1";

    private static long RssKb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        throw new InvalidOperationException("no VmRSS");
    }


    [SkippableFact]
    public async Task Memory_per_idle_connection()
    {
        Skip.IfNot(Enabled, SkipReason);
        var dll = Environment.GetEnvironmentVariable("GITPLELIVE_SERVER_DLL") ?? "/tmp/gl-r2r/GitpleLive.Server.dll";
        var count = int.Parse(Environment.GetEnvironmentVariable("GITPLELIVE_MEASURE_CONNECTIONS") ?? "2000");
        var port = LocalMachine.FreePort();
        var data = Path.Combine(Path.GetTempPath(), "gitplelive-measure-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                dll, "--urls", $"http://127.0.0.1:{port}", $"--GitpleLive:DataDirectory={data}",
                "--GitpleLive:DefaultAppId=mem-app", "--GitpleLive:DefaultAppAllowTokenless=true", "--Logging:LogLevel:Default=Warning",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var server = Process.Start(start)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var clients = new List<RawMqttClient>();
        try
        {
            using var http = new HttpClient();
            await RealtimeServer.EventuallyAsync(async () =>
            {
                try { return (await http.GetAsync($"http://127.0.0.1:{port}/health")).IsSuccessStatusCode; }
                catch (HttpRequestException) { return false; }
            }, "the server to start");

            async Task OpenAsync(int n)
            {
                for (var i = 0; i < n; i++)
                {
                    var user = $"idle-{clients.Count}";
                    var client = await RawMqttClient.OpenAsync(port);
                    await client.ConnectAsync($"mem-app::{user}::measure::0::127.0.0.1", user, "");
                    await client.SubscribeAsync(Topics.User("mem-app", user));
                    clients.Add(client);
                }
            }

            // Warm up (JIT, pools, first allocations), then measure what more connections add.
            await OpenAsync(200);
            await Task.Delay(2000);
            var before = RssKb(server.Id);
            var stopwatch = Stopwatch.StartNew();
            await OpenAsync(count);
            var connectRate = count / stopwatch.Elapsed.TotalSeconds;
            await Task.Delay(3000);
            var after = RssKb(server.Id);
            output.WriteLine($"server RSS {before} KB -> {after} KB for {count} more idle connections (each subscribed to its user topic): " +
                             $"{(after - before) * 1024.0 / count / 1024:F1} KB per connection; {connectRate:F0} connects/s (WebSocket + CONNECT + SUBSCRIBE, sequential)");
            // Keeps the connections open for a look with external tools (dotnet-gcdump, dotnet-counters): pid in the file.
            if (int.TryParse(Environment.GetEnvironmentVariable("GITPLELIVE_MEASURE_HOLD"), out var hold))
            {
                await File.WriteAllTextAsync(Path.Combine(Path.GetTempPath(), "gitplelive-measure.pid"), server.Id.ToString());
                await Task.Delay(TimeSpan.FromSeconds(hold));
            }
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync();
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }

    [SkippableFact]
    public async Task Fan_out_throughput_in_process()
    {
        Skip.IfNot(Enabled, SkipReason);
        // 1,000 subscribers in 20 channels of 50, 300-byte payloads (PERFORMANCE.md's shape). Broker and
        // subscribers share this process and both cores, so the figure is a floor for the broker alone.
        await using var host = new RealtimeServer();
        await host.InitializeAsync();
        const int channels = 20, perChannel = 50;
        var app = RealtimeServer.TokenlessAppId;
        var channelIds = Enumerable.Range(0, channels).Select(i => $"bench-{i}").ToArray();
        var subscribers = new List<RawMqttClient>();
        for (var c = 0; c < channels; c++)
        {
            var users = Enumerable.Range(0, perChannel).Select(i => $"b{c}-{i}").ToArray();
            await host.CreateChannelAsync(app, channelIds[c], users);
            foreach (var user in users)
            {
                var client = await RawMqttClient.OpenAsync(host.Port);
                await client.ConnectAsync($"{app}::{user}::bench::0::127.0.0.1", user, "");
                Assert.Equal(0, await client.SubscribeAsync(Topics.ChannelAll(app, channelIds[c])));
                subscribers.Add(client);
            }
        }
        long delivered = 0;
        using var stop = new CancellationTokenSource();
        var readers = subscribers.Select(s => Task.Run(async () =>
        {
            try { await s.CountPublishesAsync(() => Interlocked.Increment(ref delivered), stop.Token); }
            catch (Exception) when (stop.IsCancellationRequested) { }
        })).ToList();

        var blob = new string('x', 230); // ~300-byte payloads with the JSON around it
        var publisher = host.Service<IEventPublisher>();
        foreach (var rate in new[] { 20_000, 40_000, 80_000, 160_000, 240_000, 320_000, 480_000, 640_000 })
        {
            var eventsPerSecond = rate / perChannel;
            var seconds = 5;
            var startDelivered = Interlocked.Read(ref delivered);
            var stopwatch = Stopwatch.StartNew();
            var published = 0;
            while (stopwatch.Elapsed < TimeSpan.FromSeconds(seconds))
            {
                var due = (int)(stopwatch.Elapsed.TotalSeconds * eventsPerSecond);
                for (; published < due; published++)
                    await publisher.PublishAsync([Events.Channel(app, channelIds[published % channels], "group:message_send", new { seq = published, blob })]);
                await Task.Delay(1);
            }
            var expected = (long)published * perChannel;
            var drainWatch = Stopwatch.StartNew();
            while (Interlocked.Read(ref delivered) - startDelivered < expected && drainWatch.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(10);
            var got = Interlocked.Read(ref delivered) - startDelivered;
            output.WriteLine($"offered {rate}/s: {got}/{expected} delivered in {stopwatch.Elapsed.TotalSeconds + drainWatch.Elapsed.TotalSeconds:F2}s " +
                             $"(drain after publishing stopped {drainWatch.ElapsedMilliseconds} ms) -> {got / (stopwatch.Elapsed.TotalSeconds + drainWatch.Elapsed.TotalSeconds):F0} deliveries/s");
            if (got < expected) break;
        }
        await stop.CancelAsync();
        foreach (var s in subscribers) await s.DisposeAsync();
        await Task.WhenAll(readers);
    }
}
