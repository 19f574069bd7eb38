using GitpleLive.Server.Events;
using GitpleLive.TestHost;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace GitpleLive.Realtime.Tests;

/// <summary>
/// PROTOCOL §9: a CONNECT restores what the user is entitled to hear (the Android SDK reconnects by itself and never
/// subscribes again): own user topic, joined channels' <c>all</c>, managed channels' <c>manager</c>.
/// </summary>
public sealed class RestoreTests(RealtimeServer server) : IClassFixture<RealtimeServer>
{
    private const string App = RealtimeServer.AppId;

    /// <summary>The Android SDK's client id: seven parts, the ip in the middle (IPv6 here, with its own "::").</summary>
    private static string AndroidClientId(string userId, string device) =>
        $"{App}::{userId}::v1.0.0::{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}::fe80::1::android::{device}";

    private async Task<(string User, string Token, string Managed, string Joined)> SetupAsync()
    {
        var (user, token) = await server.NewUserAsync(App);
        var (other, _) = await server.NewUserAsync(App);
        var managed = RealtimeServer.NewId("m");
        var joined = RealtimeServer.NewId("j");
        await server.CreateChannelAsync(App, managed, [user, other], [user]);
        await server.CreateChannelAsync(App, joined, [user, other], [other]);
        return (user, token, managed, joined);
    }

    private Task<TestClient> ConnectAsync(string user, string token, string device) =>
        TestClient.ConnectAsync(server.WebSocketUrl, AndroidClientId(user, device), user, token, MqttProtocolVersion.V311);

    /// <summary>Publishes one event on each topic the user may or may not hear, and checks exactly the right ones arrive.</summary>
    private async Task ExpectEntitledEventsAsync(TestClient client, string user, string managed, string joined)
    {
        await server.PublishAsync(
            Events.User(App, user, "user_update"),
            Events.Channel(App, managed, "group:message_send"),
            Events.Manager(App, managed, "group:report_create"),
            Events.Channel(App, joined, "group:message_update"),
            Events.Manager(App, joined, "group:report_create")); // not a manager there: not heard
        Assert.Equal($"{Topics.User(App, user)[..^1]}user_update", (await client.NextAsync()).Topic);
        Assert.Equal($"{Topics.ChannelAll(App, managed)[..^1]}group:message_send", (await client.NextAsync()).Topic);
        Assert.Equal($"{Topics.ChannelManager(App, managed)[..^1]}group:report_create", (await client.NextAsync()).Topic);
        Assert.Equal($"{Topics.ChannelAll(App, joined)[..^1]}group:message_update", (await client.NextAsync()).Topic);
        await client.ExpectNothingMoreAsync(server);
    }

    [Fact]
    public async Task A_dropped_socket_reconnecting_without_subscribe_still_hears_channel_and_user_events()
    {
        var (user, token, managed, joined) = await SetupAsync();
        var device = Guid.NewGuid().ToString();
        var first = await ConnectAsync(user, token, device);
        await ExpectEntitledEventsAsync(first, user, managed, joined);

        // The socket drops (no DISCONNECT); Paho reconnects with the same options and sends no SUBSCRIBE.
        first.Mqtt.Dispose();
        await RealtimeServer.EventuallyAsync(async () =>
            !await server.Service<IPresence>().IsClientConnectedAsync(App, user, first.ClientId), "the dropped socket to be gone");
        await using var again = await ConnectAsync(user, token, device);
        await ExpectEntitledEventsAsync(again, user, managed, joined);
    }

    [Fact]
    public async Task Subscribing_the_restored_filters_again_does_not_double_deliveries()
    {
        var (user, token, managed, joined) = await SetupAsync();
        await using var client = await ConnectAsync(user, token, Guid.NewGuid().ToString());
        // iOS: one SUBSCRIBE per topic at QoS 0.
        await client.SubscribeOkAsync(Topics.User(App, user));
        await client.SubscribeOkAsync(Topics.ChannelAll(App, managed));
        // Android: one SUBSCRIBE with every topic at QoS 1, granted QoS 0.
        var all = await client.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.User(App, user), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.ChannelAll(App, managed), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.ChannelManager(App, managed), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(Topics.ChannelAll(App, joined), MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.All(all.Items, i => Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, i.ResultCode));
        await ExpectEntitledEventsAsync(client, user, managed, joined);
    }

    [Fact]
    public async Task Cuts_apply_to_restored_subscriptions()
    {
        var (user, token, managed, joined) = await SetupAsync();
        await using var client = await ConnectAsync(user, token, Guid.NewGuid().ToString());
        await server.RemoveMemberAsync(App, managed, user);
        await server.PublishAsync(Events.Channel(App, managed, "group:channel_leave",
            cuts: [new SubscriptionCut(user, "group", managed, ManagerOnly: false)]));
        Assert.Equal("group:channel_leave", (await client.NextAsync()).Category);
        await server.SetManagerAsync(App, joined, user, true);
        await server.PublishAsync(
            Events.Channel(App, managed, "group:message_send"),
            Events.Manager(App, managed, "group:report_create"));
        await client.ExpectNothingMoreAsync(server);
    }

    [Fact]
    public async Task A_channel_lost_while_offline_is_not_restored()
    {
        var (user, token, managed, joined) = await SetupAsync();
        var device = Guid.NewGuid().ToString();
        await (await ConnectAsync(user, token, device)).DisposeAsync();
        await server.RemoveMemberAsync(App, managed, user);
        await server.SetManagerAsync(App, joined, user, false);
        await using var client = await ConnectAsync(user, token, device);
        await server.PublishAsync(
            Events.Channel(App, managed, "group:message_send"),
            Events.Manager(App, managed, "group:report_create"),
            Events.Channel(App, joined, "group:message_update"));
        Assert.Equal("group:message_update", (await client.NextAsync()).Category);
        await client.ExpectNothingMoreAsync(server);
    }

    [Fact]
    public async Task Nothing_precedes_connack_and_a_refused_connect_restores_nothing()
    {
        var (user, token, managed, _) = await SetupAsync();
        // Flood the channel while clients connect: every client must still complete CONNECT (CONNACK first).
        using var stop = new CancellationTokenSource();
        var flood = Task.Run(async () =>
        {
            // A steady stream, not an unbounded burst: a burst larger than a connection's queue during its CONNECT
            // would cut it as a slow consumer, which is the queue's rule, not what this test is about.
            while (!stop.IsCancellationRequested)
            {
                await server.PublishAsync(Events.Channel(App, managed, "group:message_send"));
                await Task.Delay(1);
            }
        });
        for (var i = 0; i < 10; i++)
            await (await ConnectAsync(user, token, Guid.NewGuid().ToString())).DisposeAsync();
        await stop.CancelAsync();
        await flood;
        var refused = await Assert.ThrowsAsync<ConnectRefusedException>(() => ConnectAsync(user, "bad-token", "d"));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, refused.Code);
    }
}

/// <summary>The restore across two nodes sharing PostgreSQL and Redis: changes made on one node, heard on the other.</summary>
public sealed class RestoreAcrossNodesTests
{
    [SkippableFact]
    public async Task A_client_on_node_b_hears_node_a_without_subscribing_and_loses_the_channel_when_cut_there()
    {
        var reason = await ExternalServices.PostgresAndRedisMissingAsync();
        Skip.If(reason is not null, reason);
        await using var nodes = await TwoNodes.StartAsync("restore");
        var (a, b) = nodes;
        using var alice = await a.SdkUserAsync("alice");
        using var bob = await a.SdkUserAsync("bob");
        await Send(alice.Http, HttpMethod.Post, "/v1/sdk/group/channels", """{"channel_id":"x","name":"x","members":["bob"]}""");
        var clientId = $"{a.AppId}::bob::v1.0.0::1::10.0.0.2::android::{Guid.NewGuid()}";
        await using var phone = await TestClient.ConnectAsync(b.WebSocketUrl, clientId, "bob", bob.SdkToken, MqttProtocolVersion.V311);
        phone.AppId = a.AppId;

        await Send(alice.Http, HttpMethod.Post, "/v1/sdk/group/channels/x/messages", """{"type":"text","content":"hi"}""");
        var got = await phone.NextAsync();
        Assert.Equal("group:message_send", got.Category);
        Assert.Equal(a.AppId, got.Json.GetProperty("app_id").GetString());

        await Send(alice.Http, HttpMethod.Post, "/v1/sdk/group/channels/x/ban", """{"user_id":"bob"}""");
        var ban = await phone.NextAsync();
        Assert.Equal("group:channel_ban", ban.Category);
        Assert.Equal("bob", ban.Json.GetProperty("banInfo").GetProperty("user").GetProperty("user_id").GetString());
        await Send(alice.Http, HttpMethod.Post, "/v1/sdk/group/channels/x/messages", """{"type":"text","content":"after"}""");
        // Events from node A reach node B in order: the next thing bob hears is his own update, not "after".
        await Send(a.Platform, HttpMethod.Put, "/v1/users/bob", """{"name":"Bob B"}""");
        Assert.Equal("user_update", (await phone.NextAsync()).Category);
    }

    private static async Task Send(HttpClient http, HttpMethod method, string path, string json)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
