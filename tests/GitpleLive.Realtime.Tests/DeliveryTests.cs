using GitpleLive.Server.Events;
using MQTTnet.Formatter;

namespace GitpleLive.Realtime.Tests;

/// <summary>Events published through <see cref="IEventPublisher"/> reach exactly their topic's subscribers, byte for byte, in order.</summary>
public sealed class DeliveryTests(RealtimeServer server) : IClassFixture<RealtimeServer>
{
    private const string App = RealtimeServer.AppId;

    private async Task<(string Channel, TestClient Member, TestClient Manager, TestClient Outsider)> ChannelAsync(
        MqttProtocolVersion memberVersion = MqttProtocolVersion.V311)
    {
        var member = await server.ConnectNewUserAsync(App, memberVersion);
        var manager = await server.ConnectNewUserAsync(App);
        var outsider = await server.ConnectNewUserAsync(App);
        var channel = RealtimeServer.NewId("c");
        await server.CreateChannelAsync(App, channel, [member.UserId, manager.UserId], [manager.UserId]);
        await member.SubscribeOkAsync(Topics.ChannelAll(App, channel));
        await manager.SubscribeOkAsync(Topics.ChannelAll(App, channel));
        await manager.SubscribeOkAsync(Topics.ChannelManager(App, channel));
        return (channel, member, manager, outsider);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    [InlineData(MqttProtocolVersion.V310)]
    public async Task Channel_event_arrives_with_its_exact_payload_on_its_topic(MqttProtocolVersion version)
    {
        var (channel, member, manager, outsider) = await ChannelAsync(version);
        await using var a = member; await using var b = manager; await using var c = outsider;

        var e = new ChatEvent
        {
            AppId = App,
            TopicKind = EventTopicKind.ChannelAll,
            TargetId = channel,
            Payload = new EventPayload("group:message_send",
                Channel: new { channel_id = channel, type = "group", name = "Ünïcödé ✓" },
                Message: new { message_id = 42, type = "text", content = new string('x', 300) }),
        };
        await server.PublishAsync(e);

        foreach (var client in new[] { member, manager })
        {
            var got = await client.NextAsync();
            Assert.Equal($"mqtt/topic/gitple/live/{App}/channel/group/{channel}/all/group:message_send", got.Topic);
            Assert.Equal(e.PayloadBytes, got.Payload);
            var json = got.Json;
            Assert.Equal("group:message_send", json.GetProperty("category").GetString());
            Assert.Equal(channel, json.GetProperty("channel").GetProperty("channel_id").GetString());
            Assert.Equal(42, json.GetProperty("message").GetProperty("message_id").GetInt32());
            Assert.False(json.TryGetProperty("user", out _));
            Assert.False(json.TryGetProperty("data", out _));
        }
        await member.ExpectNothingMoreAsync(server);
        await manager.ExpectNothingMoreAsync(server);
        await outsider.ExpectNothingMoreAsync(server);
    }

    [Fact]
    public async Task Manager_event_reaches_managers_only()
    {
        var (channel, member, manager, outsider) = await ChannelAsync();
        await using var a = member; await using var b = manager; await using var c = outsider;
        await server.PublishAsync(Events.Manager(App, channel, "group:report_create", new { report_id = "r1" }));
        var got = await manager.NextAsync();
        Assert.Equal($"mqtt/topic/gitple/live/{App}/channel/group/{channel}/manager/group:report_create", got.Topic);
        Assert.Equal("r1", got.Json.GetProperty("data").GetProperty("report_id").GetString());
        await manager.ExpectNothingMoreAsync(server);
        await member.ExpectNothingMoreAsync(server);
        await outsider.ExpectNothingMoreAsync(server);
    }

    [Fact]
    public async Task User_event_reaches_every_connection_of_that_user_only()
    {
        var first = await server.ConnectNewUserAsync(App);
        await using var _ = first;
        await using var second = await server.ConnectAsync(App, first.UserId, await server.SdkTokenAsync(App, first.UserId));
        await second.SubscribeOkAsync(Topics.User(App, first.UserId));
        await using var other = await server.ConnectNewUserAsync(App);

        await server.PublishAsync(Events.User(App, first.UserId, "user_update"));
        foreach (var client in new[] { first, second })
        {
            var got = await client.NextAsync();
            Assert.Equal($"mqtt/topic/gitple/live/{App}/user/all/{first.UserId}/user_update", got.Topic);
            Assert.Equal(first.UserId, got.Json.GetProperty("user").GetProperty("user_id").GetString());
        }
        await other.ExpectNothingMoreAsync(server);
    }

    [Fact]
    public async Task Two_apps_never_see_each_other()
    {
        // The same user and channel ids in two apps.
        var userId = RealtimeServer.NewId("same");
        var channel = RealtimeServer.NewId("same");
        var clients = new List<TestClient>();
        foreach (var app in new[] { RealtimeServer.AppId, RealtimeServer.OtherAppId })
        {
            await server.CreateUserAsync(app, userId);
            await server.CreateChannelAsync(app, channel, [userId]);
            var client = await server.ConnectAsync(app, userId, await server.SdkTokenAsync(app, userId));
            client.AppId = app;
            await client.SubscribeOkAsync(Topics.User(app, userId));
            await client.SubscribeOkAsync(Topics.ChannelAll(app, channel));
            clients.Add(client);
        }
        try
        {
            await server.PublishAsync(Events.Channel(RealtimeServer.AppId, channel, "group:channel_update"), Events.User(RealtimeServer.AppId, userId, "user_update"));
            Assert.Equal("group:channel_update", (await clients[0].NextAsync()).Category);
            Assert.Equal("user_update", (await clients[0].NextAsync()).Category);
            await clients[1].ExpectNothingMoreAsync(server);

            await server.PublishAsync(Events.Channel(RealtimeServer.OtherAppId, channel, "group:channel_update"));
            Assert.StartsWith($"mqtt/topic/gitple/live/{RealtimeServer.OtherAppId}/", (await clients[1].NextAsync()).Topic);
            await clients[0].ExpectNothingMoreAsync(server);
        }
        finally
        {
            foreach (var c in clients) await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task Events_of_a_channel_arrive_in_publish_order_for_every_subscriber()
    {
        var (channel, member, manager, outsider) = await ChannelAsync();
        await using var a = member; await using var b = manager; await using var c = outsider;
        const int count = 2000;
        // Published from several threads at once; each subscriber must see one and the same order.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
        {
            for (var i = t; i < count; i += 4)
                await server.PublishAsync(Events.Channel(App, channel, "group:message_send", new { seq = i }));
        })));
        var orders = new List<int[]>();
        foreach (var client in new[] { member, manager })
        {
            var seen = new int[count];
            for (var i = 0; i < count; i++)
                seen[i] = (await client.NextAsync()).Json.GetProperty("data").GetProperty("seq").GetInt32();
            Assert.Equal(Enumerable.Range(0, count), seen.Order());
            orders.Add(seen);
        }
        Assert.Equal(orders[0], orders[1]);

        // One publisher: publish order itself.
        for (var i = 0; i < 500; i++) await server.PublishAsync(Events.Channel(App, channel, "group:message_send", new { seq = i }));
        for (var i = 0; i < 500; i++)
            Assert.Equal(i, (await member.NextAsync()).Json.GetProperty("data").GetProperty("seq").GetInt32());
    }

    [Fact]
    public async Task Large_payload_uses_multi_byte_remaining_length()
    {
        var (channel, member, manager, outsider) = await ChannelAsync(MqttProtocolVersion.V500);
        await using var a = member; await using var b = manager; await using var c = outsider;
        var e = Events.Channel(App, channel, "group:message_send", new { blob = new string('y', 200_000) });
        await server.PublishAsync(e);
        Assert.Equal(e.PayloadBytes, (await member.NextAsync()).Payload);
        Assert.Equal(e.PayloadBytes, (await manager.NextAsync()).Payload);
    }

    [Fact]
    public async Task An_mqtt5_client_never_gets_a_packet_above_its_maximum_packet_size()
    {
        var (user, token) = await server.NewUserAsync();
        var big = Events.User(App, user, "user_update", new { blob = new string('z', 3000) });
        var size = Mqtt5PublishSize(big);

        // One connection accepts exactly that size, one a byte less, one sets no limit.
        var ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string ClientId(int n) => $"{App}::{user}::test-1.0::{ms + n}::127.0.0.1";
        var url = server.WebSocketUrl;
        await using var exact = await TestClient.ConnectAsync(url, ClientId(0), user, token, MqttProtocolVersion.V500, size);
        await using var smaller = await TestClient.ConnectAsync(url, ClientId(1), user, token, MqttProtocolVersion.V500, size - 1);
        await using var unlimited = await TestClient.ConnectAsync(url, ClientId(2), user, token, MqttProtocolVersion.V500);
        foreach (var client in new[] { exact, smaller, unlimited })
            await client.SubscribeOkAsync(Topics.User(App, user));

        await server.PublishAsync(big, Events.User(App, user, "user_marker"));
        foreach (var client in new[] { exact, unlimited })
        {
            Assert.Equal(big.PayloadBytes, (await client.NextAsync()).Payload);
            Assert.EndsWith("/user_marker", (await client.NextAsync()).Topic, StringComparison.Ordinal);
        }
        // The packet is left out for that client only [MQTT-3.1.2-25]; it stays connected and gets what fits.
        Assert.EndsWith("/user_marker", (await smaller.NextAsync()).Topic, StringComparison.Ordinal);
        Assert.True(smaller.Mqtt.IsConnected);
        await smaller.ExpectNothingMoreAsync(server);
    }

    /// <summary>Bytes of an MQTT 5 QoS 0 PUBLISH of the event: fixed header, topic, empty properties, payload.</summary>
    private static uint Mqtt5PublishSize(ChatEvent e)
    {
        var remaining = 2 + System.Text.Encoding.UTF8.GetByteCount(e.Topic) + 1 + e.PayloadBytes.Length;
        var lengthBytes = remaining < 128 ? 1 : remaining < 16_384 ? 2 : remaining < 2_097_152 ? 3 : 4;
        return (uint)(1 + lengthBytes + remaining);
    }
}
