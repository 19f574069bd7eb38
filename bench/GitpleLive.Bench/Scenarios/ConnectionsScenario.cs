using System.Diagnostics;
using GitpleLive.Bench.Mqtt;
using GitpleLive.Bench.Sys;
using GitpleLive.Bench.Targets;

namespace GitpleLive.Bench.Scenarios;

/// <summary>
/// N idle MQTT-over-WebSocket connections, each authenticated and subscribed to its own user topic:
/// time to connect them all and the broker's resident memory per connection.
/// </summary>
public static class ConnectionsScenario
{
    /// <summary>How many connections the file limits allow (both this process and the broker hold one fd each).</summary>
    public static int Allowed(BenchContext ctx, int requested)
    {
        var limit = (long)Math.Min(ctx.FileLimit, int.MaxValue);
        var allowed = (int)Math.Max(0, limit - 512);
        return Math.Min(requested, allowed);
    }

    /// <summary>
    /// Distinct users behind the connections: beyond this, users hold several connections each (as a
    /// user with several devices does), each with its own client id, so setup stays short.
    /// </summary>
    public const int MaxDistinctUsers = 1000;

    private static long ClientIdBase = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>The client id format of PROTOCOL §4; the time part is made unique per connection.</summary>
    private static string ClientId(string userId, int i) => $"{ServerHost.AppId}::{userId}::bench::{ClientIdBase + i}::127.0.0.1";

    public static async Task<ConnectionsResult> RunServerAsync(
        BenchContext ctx, ServerHost host, int count, CancellationToken cancellationToken)
    {
        var result = new ConnectionsResult { Target = "server", Requested = count };
        using var api = new GitpleApi(host.BaseUri, ServerHost.AppId, host.ApiKey, 64);
        int distinct = Math.Min(count, MaxDistinctUsers);
        var users = new GitpleApi.BenchUser[distinct];
        await Ui.ProgressAsync(async progress =>
        {
            var setup = progress.AddTask(Ui.Esc($"server: create {distinct:N0} users and SDK tokens"), maxValue: distinct);
            var sw = Stopwatch.StartNew();
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, distinct), parallel,
                async (i, token) =>
                {
                    users[i] = await api.CreateSdkUserAsync($"bench-idle{i:D6}", $"idle {i}", token);
                    setup.Increment(1);
                });
            result.SetupSeconds = sw.Elapsed.TotalSeconds;
        });
        var prefix = $"mqtt/topic/gitple/live/{ServerHost.AppId}";
        await ConnectAllAsync(ctx, result, host.Pid, host.WsUri, count, "server",
            i =>
            {
                var user = users[i % distinct];
                return (ClientId(user.UserId, i), user.UserId, user.SdkToken, $"{prefix}/user/all/{user.UserId}/#");
            }, cancellationToken);
        return result;
    }

    public static async Task<ConnectionsResult> RunMosquittoAsync(
        BenchContext ctx, MosquittoHost host, int count, CancellationToken cancellationToken)
    {
        var result = new ConnectionsResult { Target = "mosquitto", Requested = count };
        var prefix = $"mqtt/topic/gitple/live/{ServerHost.AppId}";
        await ConnectAllAsync(ctx, result, host.Pid, host.WsUri, count, "mosquitto",
            i =>
            {
                var userId = $"bench-idle{i % MaxDistinctUsers:D6}";
                return (ClientId(userId, i), userId, null, $"{prefix}/user/all/{userId}/#");
            }, cancellationToken);
        return result;
    }

    private static async Task ConnectAllAsync(BenchContext ctx, ConnectionsResult result, int pid, Uri uri, int count, string name,
        Func<int, (string ClientId, string? User, string? Password, string Filter)> who, CancellationToken cancellationToken)
    {
        var settings = new LeanMqttSettings { ReceiveBufferSize = 512, KeepAliveSeconds = 300 };
        var clients = new LeanMqttClient?[count];
        int failed = 0;
        string? firstError = null;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(ctx.Options.SettleSeconds), cancellationToken); // let the broker settle after setup
            result.RssBeforeMb = ProcStats.RssBytes(pid) / 1048576.0;
            var cpu = new CpuMeter(pid);
            var sw = Stopwatch.StartNew();
            await Ui.ProgressAsync(async progress =>
            {
                var task = progress.AddTask(Ui.Esc($"{name}: open {count:N0} idle MQTT/WS connections"), maxValue: count);
                await Parallel.ForEachAsync(Enumerable.Range(0, count),
                    new ParallelOptions { MaxDegreeOfParallelism = ctx.Options.ConnectConcurrency, CancellationToken = cancellationToken },
                    async (i, token) =>
                    {
                        var (clientId, user, password, filter) = who(i);
                        try
                        {
                            var client = await LeanMqttClient.ConnectAsync(uri, clientId, user, password, settings, null, token);
                            clients[i] = client;
                            var codes = await client.SubscribeAsync([filter], token);
                            if (codes.Any(c => c >= 0x80)) throw new InvalidOperationException($"SUBACK {string.Join(',', codes)}");
                        }
                        catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                        {
                            if (Interlocked.Increment(ref failed) == 1) firstError = e.Message;
                        }
                        task.Increment(1);
                    });
            });
            result.ConnectSeconds = sw.Elapsed.TotalSeconds;
            result.ServerCpuSecondsForConnect = cpu.Percent() / 100 * result.ConnectSeconds;
            await Task.Delay(TimeSpan.FromSeconds(ctx.Options.SettleSeconds), cancellationToken);
            result.RssAfterMb = ProcStats.RssBytes(pid) / 1048576.0;
            result.Connected = clients.Count(c => c is not null && c.IsOpen);
            result.Failed = failed;
            result.FirstError = firstError;
            result.ConnectsPerSecond = result.Connected / result.ConnectSeconds;
            result.RssPerConnectionKb = result.Connected == 0 ? 0 : (result.RssAfterMb - result.RssBeforeMb) * 1024 / result.Connected;
            if (result.Connected == 0) result.Error = $"no connection succeeded: {firstError}";
            if (failed > 0) ctx.Note($"{name}: {failed} of {count} connections failed; first error: {firstError}");
        }
        finally
        {
            foreach (var c in clients) c?.Abort();
        }
    }
}
