using System.Text;
using System.Threading.Channels;
using MQTTnet;
using GitpleLive.Server.Events;
using GitpleLive.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Server.Tests;

/// <summary>Two server nodes on one PostgreSQL store, carrying events and presence through Redis.</summary>
public class MultiNodeTests
{
    private static async Task<TwoNodes> StartPairAsync(Dictionary<string, string?>? extra = null)
    {
        var reason = await ExternalServices.PostgresAndRedisMissingAsync();
        Skip.If(reason is not null, reason);
        return await TwoNodes.StartAsync("multi", extra);
    }

    [SkippableFact]
    public async Task A_file_link_signed_on_one_node_opens_on_the_other()
    {
        var files = Directory.CreateTempSubdirectory("gl-shared-files").FullName;
        var nodes = await StartPairAsync(new()
        {
            ["GitpleLive:FileUrlKey"] = "cluster-secret-" + Guid.NewGuid().ToString("N"),
            ["GitpleLive:FilesDirectory"] = files,
        });
        var (a, b) = nodes;
        try
        {
            var alice = await a.SdkUserAsync("alice");
            await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "files", name = "n" });
            var m = await alice.Http.PostJsonAsync("/v1/sdk/group/channels/files/messages", Api.FileForm([7, 8, 9], "pic.jpg"));
            var url = m!["file"]!["url"]!.GetValue<string>();
            Assert.StartsWith(a.BaseUrl, url);
            using var http = new HttpClient();
            Assert.Equal([7, 8, 9], await http.GetByteArrayAsync(b.BaseUrl + new Uri(url).AbsolutePath));
            // A node with another key refuses it.
            await using var stranger = await TestServer.StartAsync(new Dictionary<string, string?>
            {
                ["GitpleLive:FileUrlKey"] = "another-secret-0123456789",
                ["GitpleLive:FilesDirectory"] = files,
            });
            using var refused = await http.GetAsync(stranger.BaseUrl + new Uri(url).AbsolutePath);
            Assert.Equal(403, (int)refused.StatusCode);
        }
        finally
        {
            await nodes.DisposeAsync();
            Directory.Delete(files, recursive: true);
        }
    }

    [SkippableFact]
    public async Task An_event_raised_on_one_node_reaches_the_other_with_the_same_payload()
    {
        var nodes = await StartPairAsync();
        var (a, b) = nodes;
        try
        {
            var alice = await a.SdkUserAsync("alice");
            await b.SdkUserAsync("bob");
            await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "across", name = "n", members = new[] { "bob" } });
            var sent = await alice.Http.PostJsonAsync("/v1/sdk/group/channels/across/messages", new { type = "text", content = "from node A" });

            var local = await a.Events.WaitForAsync(e => e.AppId == a.AppId && e.Category == "group:message_send");
            var remote = await b.Events.WaitForAsync(e => e.AppId == a.AppId && e.Category == "group:message_send");
            Assert.Equal(local.Topic, remote.Topic);
            Assert.Equal(Encoding.UTF8.GetString(local.PayloadBytes), Encoding.UTF8.GetString(remote.PayloadBytes));
            Assert.Contains("from node A", Encoding.UTF8.GetString(remote.PayloadBytes));
            Assert.Equal(sent!["message_id"]!.GetValue<long>(), System.Text.Json.JsonDocument.Parse(remote.PayloadBytes).RootElement.GetProperty("message").GetProperty("message_id").GetInt64());

            // The relay's lag is measured on the receiving node.
            using (var http = new HttpClient())
            {
                var metrics = await http.GetStringAsync($"{b.BaseUrl}/metrics");
                var count = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("gitplelive_redis_relay_lag_seconds_count", StringComparison.Ordinal));
                Assert.NotNull(count);
                Assert.True(double.Parse(count.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture) >= 1, count);
            }

            // Cuts travel too: bob leaves through node B, node A hears the leave with its cut.
            var bob = await b.SdkUserAsync("bob");
            await bob.Http.PutJsonAsync("/v1/sdk/group/channels/across/leave");
            var leave = await a.Events.WaitForAsync(e => e.AppId == a.AppId && e.Category == "group:channel_leave");
            var cut = Assert.Single(leave.CutsAfter);
            Assert.Equal(("bob", "across", false), (cut.UserId, cut.ChannelId, cut.ManagerOnly));
        }
        finally
        {
            await nodes.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task App_settings_and_keys_changed_on_one_node_hold_on_the_other_at_once()
    {
        var nodes = await StartPairAsync();
        var (a, b) = nodes;
        TestServer? c = null;
        try
        {
            // Node B has the app cached.
            Assert.Equal(20, (await b.Platform.GetJsonAsync("/v1/app")).Long("max_meta_keys"));
            await a.Platform.PutJsonAsync("/v1/app", new { max_meta_keys = 7 });
            var watch = System.Diagnostics.Stopwatch.StartNew();
            while ((await b.Platform.GetJsonAsync("/v1/app")).Long("max_meta_keys") != 7)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), "node B still has the old settings");
                await Task.Delay(20);
            }

            // A third node starts with a new API key for the app: the old key stops working on A and B, the new one works.
            var newKey = "rotated-" + Guid.NewGuid().ToString("N")[..8];
            c = await TestServer.StartAsync(new Dictionary<string, string?>
            {
                ["GitpleLive:StorageProvider"] = "postgres", ["GitpleLive:ConnectionString"] = nodes.Database, ["GitpleLive:Redis"] = ExternalServices.Redis,
                ["GitpleLive:DefaultAppId"] = a.AppId, ["GitpleLive:DefaultApiKey"] = newKey,
            });
            foreach (var node in new[] { a, b })
            {
                watch.Restart();
                while ((await node.Platform.GetAsync("/v1/app")).IsSuccessStatusCode)
                {
                    Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), "the old key still works");
                    await Task.Delay(20);
                }
                using var rotated = new HttpClient { BaseAddress = new Uri(node.BaseUrl) };
                rotated.DefaultRequestHeaders.Add("APP_ID", a.AppId);
                rotated.DefaultRequestHeaders.Add("APP_API_KEY", newKey);
                Assert.Equal(7, (await rotated.GetJsonAsync("/v1/app")).Long("max_meta_keys"));
            }
        }
        finally
        {
            if (c is not null) await c.DisposeAsync();
            await nodes.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task A_user_connected_to_one_node_is_online_on_the_other()
    {
        var nodes = await StartPairAsync();
        var (a, b) = nodes;
        try
        {
            var alice = await a.SdkUserAsync("alice");
            var bob = await b.SdkUserAsync("bob");
            await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "presence", name = "n", members = new[] { "bob" } });

            var presenceA = a.Services.GetRequiredService<IPresence>();
            presenceA.Connected(a.AppId, "alice", "client-1");
            var online = await WaitForOnlineAsync(bob, expected: ["alice"]);
            Assert.Equal(["alice"], online);
            Assert.True(await b.Services.GetRequiredService<IPresence>().IsClientConnectedAsync(a.AppId, "alice", "client-1"));

            presenceA.Disconnected(a.AppId, "alice", "client-1");
            online = await WaitForOnlineAsync(bob, expected: []);
            Assert.Empty(online);
        }
        finally
        {
            await nodes.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task A_client_on_one_node_hears_changes_made_on_the_other_and_is_cut_there()
    {
        var nodes = await StartPairAsync();
        var (a, b) = nodes;
        try
        {
            var alice = await a.SdkUserAsync("alice");
            var bob = await b.SdkUserAsync("bob");
            await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "presence", name = "n", members = new[] { "bob" } });

            // Bob is connected to node B over MQTT-over-WebSocket and listens to the channel.
            var received = Channel.CreateUnbounded<(string Topic, string Payload)>();
            using var mqtt = new MqttClientFactory().CreateMqttClient();
            mqtt.ApplicationMessageReceivedAsync += e =>
            {
                received.Writer.TryWrite((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload)));
                return Task.CompletedTask;
            };
            var clientId = $"{b.AppId}::bob::test::{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}::127.0.0.1";
            await mqtt.ConnectAsync(new MqttClientOptionsBuilder().WithWebSocketServer(o => o.WithUri(b.WebSocketUrl))
                .WithClientId(clientId).WithCredentials("bob", bob.SdkToken).WithCleanSession().Build());
            var prefix = $"mqtt/topic/gitple/live/{b.AppId}";
            var sub = await mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"{prefix}/channel/group/presence/all/#").Build());
            Assert.True(sub.Items.Single().ResultCode <= MQTTnet.MqttClientSubscribeResultCode.GrantedQoS2);

            // Node A sees bob online.
            Assert.Equal(["bob"], await WaitForOnlineAsync(alice, expected: ["bob"]));

            await alice.Http.PostJsonAsync("/v1/sdk/group/channels/presence/messages", new { type = "text", content = "over the bus" });
            var got = await received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal($"{prefix}/channel/group/presence/all/group:message_send", got.Topic);
            Assert.Contains("over the bus", got.Payload);

            // Removing bob through node A cuts his subscription on node B after he hears why.
            (await a.Platform.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/v1/group/channels/presence/members")
            { Content = System.Net.Http.Json.JsonContent.Create(new { members = new[] { "bob" } }) })).EnsureSuccessStatusCode();
            var leave = await received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.EndsWith("/group:channel_leave", leave.Topic);
            await b.Events.WaitForAsync(e => e.AppId == a.AppId && e.Category == "group:channel_leave");
            await alice.Http.PostJsonAsync("/v1/sdk/group/channels/presence/messages", new { type = "text", content = "not for bob" });
            await b.Events.WaitForAsync(e =>
                e.AppId == a.AppId && e.Category == "group:message_send" && Encoding.UTF8.GetString(e.PayloadBytes).Contains("not for bob"));
            await Task.Delay(300);
            Assert.False(received.Reader.TryRead(out var extra), $"bob still heard {extra.Topic}");

            await mqtt.DisconnectAsync();
            Assert.Empty(await WaitForOnlineAsync(alice, expected: []));
        }
        finally
        {
            await nodes.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Racing_sends_through_both_nodes_reach_a_subscriber_in_message_id_order()
    {
        var nodes = await StartPairAsync();
        var (a, b) = nodes;
        try
        {
            var alice = await a.SdkUserAsync("alice");
            var bob = await b.SdkUserAsync("bob");
            var carol = await b.SdkUserAsync("carol");
            await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "race", name = "n", members = new[] { "bob", "carol" } });

            var received = Channel.CreateUnbounded<long>();
            using var mqtt = new MqttClientFactory().CreateMqttClient();
            mqtt.ApplicationMessageReceivedAsync += e =>
            {
                using var doc = System.Text.Json.JsonDocument.Parse(Encoding.UTF8.GetString(e.ApplicationMessage.Payload));
                received.Writer.TryWrite(doc.RootElement.GetProperty("message").GetProperty("message_id").GetInt64());
                return Task.CompletedTask;
            };
            await mqtt.ConnectAsync(new MqttClientOptionsBuilder().WithWebSocketServer(o => o.WithUri(b.WebSocketUrl))
                .WithClientId($"{b.AppId}::carol::test::1::127.0.0.1").WithCredentials("carol", carol.SdkToken).WithCleanSession().Build());
            await mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter($"mqtt/topic/gitple/live/{b.AppId}/channel/group/race/all/#").Build());

            const int each = 20;
            await Task.WhenAll(new[] { alice, bob }.SelectMany(u => Enumerable.Range(0, 2).Select(async lane =>
            {
                for (var i = 0; i < each; i++) await u.Http.PostJsonAsync("/v1/sdk/group/channels/race/messages", new { type = "text", content = $"{u.UserId} {lane} {i}" });
            })));

            var ids = new List<long>();
            while (ids.Count < 4 * each)
            {
                try { ids.Add(await received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))); }
                catch (TimeoutException) { Assert.Fail($"received {ids.Count} of {4 * each}: {string.Join(",", ids)}"); }
            }
            Assert.Equal(ids.Order(), ids);
            Assert.Equal(4 * each, ids.Distinct().Count());
        }
        finally
        {
            await nodes.DisposeAsync();
        }
    }

    private static async Task<List<string>> WaitForOnlineAsync(SdkUser viewer, string[] expected)
    {
        List<string> online = [];
        for (var i = 0; i < 50; i++)
        {
            var list = await viewer.Http.GetJsonAsync("/v1/sdk/group/channels/presence/online_members");
            online = list!.AsArray().Select(x => x!.GetValue<string>()).ToList();
            if (online.SequenceEqual(expected)) break;
            await Task.Delay(100);
        }
        return online;
    }
}
