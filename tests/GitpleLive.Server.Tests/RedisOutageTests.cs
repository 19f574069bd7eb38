using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using GitpleLive.Server.Events;
using GitpleLive.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MQTTnet;

namespace GitpleLive.Server.Tests;

/// <summary>
/// Two nodes on PostgreSQL and a Redis of the test's own, which is stopped and started again mid-conversation:
/// answers stay fast and successful, local subscribers keep hearing, the relay and presence come back by
/// themselves, and clients that may have missed events are made to reconnect.
/// </summary>
public class RedisOutageTests
{
    private sealed class OwnRedis : IAsyncDisposable
    {
        private Process? _process;
        public int Port { get; } = LocalMachine.FreePort();

        public async Task StartAsync()
        {
            var start = new ProcessStartInfo("redis-server")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var a in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" })
                start.ArgumentList.Add(a);
            _process = Process.Start(start)!;
            _process.OutputDataReceived += (_, _) => { };
            _process.BeginOutputReadLine();
            for (var i = 0; i < 100; i++)
            {
                try
                {
                    using var tcp = new TcpClient();
                    await tcp.ConnectAsync(IPAddress.Loopback, Port);
                    return;
                }
                catch (SocketException)
                {
                    await Task.Delay(50);
                }
            }
            throw new InvalidOperationException("redis-server did not start");
        }

        public async Task StopAsync()
        {
            if (_process is null) return;
            _process.Kill();
            await _process.WaitForExitAsync();
            _process.Dispose();
            _process = null;
        }

        public async ValueTask DisposeAsync() => await StopAsync();

    }

    private sealed class Listener : IAsyncDisposable
    {
        public IMqttClient Mqtt { get; } = new MqttClientFactory().CreateMqttClient();
        public Channel<string> Payloads { get; } = Channel.CreateUnbounded<string>();
        public TaskCompletionSource Dropped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static async Task<Listener> ConnectAsync(TestServer node, SdkUser user, string channelId)
        {
            var l = new Listener();
            l.Mqtt.ApplicationMessageReceivedAsync += e =>
            {
                l.Payloads.Writer.TryWrite(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
                return Task.CompletedTask;
            };
            l.Mqtt.DisconnectedAsync += _ =>
            {
                l.Dropped.TrySetResult();
                return Task.CompletedTask;
            };
            var clientId = $"{node.AppId}::{user.UserId}::test::{Guid.NewGuid():N}::127.0.0.1";
            await l.Mqtt.ConnectAsync(new MqttClientOptionsBuilder().WithWebSocketServer(o => o.WithUri(node.WebSocketUrl))
                .WithClientId(clientId).WithCredentials(user.UserId, user.SdkToken).WithCleanSession().Build());
            var filter = $"mqtt/topic/gitple/live/{node.AppId}/channel/group/{channelId}/all/#";
            var sub = await l.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter).Build());
            Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, sub.Items.Single().ResultCode);
            return l;
        }

        /// <summary>Waits for a payload containing <paramref name="text"/>, skipping others.</summary>
        public async Task HearsAsync(string text)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (true)
                if ((await Payloads.Reader.ReadAsync(cts.Token)).Contains(text)) return;
        }

        public async ValueTask DisposeAsync()
        {
            if (Mqtt.IsConnected) await Mqtt.DisconnectAsync();
            Mqtt.Dispose();
        }
    }

    private static async Task<(TimeSpan Took, int Status)> TimedAsync(Func<Task<HttpResponseMessage>> call)
    {
        var watch = Stopwatch.StartNew();
        using var response = await call();
        return (watch.Elapsed, (int)response.StatusCode);
    }

    private static async Task<HealthStatus> RedisHealthAsync(TestServer node) =>
        (await node.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "redis")).Status;

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 15)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(seconds), what);
            await Task.Delay(50);
        }
    }

    private static async Task<List<string>> OnlineAsync(SdkUser viewer, string channelId) =>
        (await viewer.Http.GetJsonAsync($"/v1/sdk/group/channels/{channelId}/online_members"))!.AsArray()
            .Select(x => x!.GetValue<string>()).Order().ToList();

    [SkippableFact]
    public async Task Losing_redis_mid_conversation_loses_and_hangs_nothing()
    {
        var reason = await ExternalServices.PostgresUnavailableAsync();
        if (reason is not null)
        {
            Assert.False(ExternalServices.InCi, reason);
            Skip.If(true, reason);
        }
        await using var redis = new OwnRedis();
        await redis.StartAsync();
        var nodes = await TwoNodes.StartAsync("outage", new Dictionary<string, string?> { ["GitpleLive:Redis"] = $"127.0.0.1:{redis.Port}" });
        var (a, b) = nodes;
        Listener? onA = null, onB = null;
        try
        {
            var alice = await a.SdkUserAsync("alice");
            var bob = await b.SdkUserAsync("bob");
            await b.SdkUserAsync("dora");
            await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "room", name = "n", members = new[] { "bob", "dora" } });
            onA = await Listener.ConnectAsync(a, alice, "room");
            onB = await Listener.ConnectAsync(b, bob, "room");
            // Dora is online through node B without a socket of hers (so no reconnect re-adds her): presence must be re-asserted.
            b.Services.GetRequiredService<IPresence>().Connected(b.AppId, "dora", "dora-client");
            await alice.SendTextAsync("room", "before");
            await onB.HearsAsync("before");
            await onA.HearsAsync("before");
            await EventuallyAsync(async () => (await OnlineAsync(alice, "room")).SequenceEqual(["alice", "bob", "dora"]), "presence before");
            Assert.Equal(HealthStatus.Healthy, await RedisHealthAsync(a));

            // Redis goes away mid-conversation.
            await redis.StopAsync();
            var sends = new List<(TimeSpan Took, int Status)>();
            for (var i = 0; i < 3; i++)
                sends.Add(await TimedAsync(() => alice.Http.PostAsync("/v1/sdk/group/channels/room/messages",
                    System.Net.Http.Json.JsonContent.Create(new { type = "text", content = $"during {i}" }))));
            Assert.All(sends, s => Assert.Equal(200, s.Status));
            Assert.True(sends.All(s => s.Took < TimeSpan.FromSeconds(1.5)), "sends waited: " + string.Join(", ", sends.Select(s => s.Took)));
            // This node's subscriber heard them, without Redis.
            for (var i = 0; i < 3; i++) await onA.HearsAsync($"during {i}");
            // Presence reads answer at once, from what this node knows.
            var read = await TimedAsync(() => alice.Http.GetAsync("/v1/sdk/group/channels/room/online_members"));
            Assert.Equal(200, read.Status);
            Assert.True(read.Took < TimeSpan.FromSeconds(2.5), $"presence read took {read.Took}");
            var fromB = await TimedAsync(() => bob.Http.PostAsync("/v1/sdk/group/channels/room/messages",
                System.Net.Http.Json.JsonContent.Create(new { type = "text", content = "from B during" })));
            Assert.Equal(200, fromB.Status);
            Assert.True(fromB.Took < TimeSpan.FromSeconds(1.5), $"send on B took {fromB.Took}");
            await onB.HearsAsync("from B during");
            await EventuallyAsync(async () => await RedisHealthAsync(a) == HealthStatus.Unhealthy, "health still says Redis is up", 5);

            // Redis comes back, empty.
            await redis.StartAsync();
            // Both nodes' clients may have missed the other node's events: they are made to reconnect and catch up.
            await onA.Dropped.Task.WaitAsync(TimeSpan.FromSeconds(15));
            await onB.Dropped.Task.WaitAsync(TimeSpan.FromSeconds(15));
            var caughtUp = (await bob.Http.GetJsonAsync("/v1/sdk/group/channels/room/messages?limit=20"))!["messages"]!.AsArray()
                .Select(m => m!["content"]?.GetValue<string>()).ToList();
            foreach (var text in new[] { "during 0", "during 1", "during 2", "from B during" }) Assert.Contains(text, caughtUp);
            await EventuallyAsync(async () => await RedisHealthAsync(a) == HealthStatus.Healthy
                && await RedisHealthAsync(b) == HealthStatus.Healthy, "health did not recover");

            // The relay works again: reconnected, bob on node B hears a send on node A.
            await onA.DisposeAsync();
            await onB.DisposeAsync();
            onA = await Listener.ConnectAsync(a, alice, "room");
            onB = await Listener.ConnectAsync(b, bob, "room");
            await alice.SendTextAsync("room", "after");
            await onB.HearsAsync("after");
            await onA.HearsAsync("after");
            // Presence is whole again on both nodes, dora (no reconnect) included.
            await EventuallyAsync(async () => (await OnlineAsync(alice, "room")).SequenceEqual(["alice", "bob", "dora"]), "presence after, on A");
            await EventuallyAsync(async () => (await OnlineAsync(bob, "room")).SequenceEqual(["alice", "bob", "dora"]), "presence after, on B");
        }
        finally
        {
            if (onA is not null) await onA.DisposeAsync();
            if (onB is not null) await onB.DisposeAsync();
            await nodes.DisposeAsync();
        }
    }
}
