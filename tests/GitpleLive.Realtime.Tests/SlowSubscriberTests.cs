using GitpleLive.Server.Events;

namespace GitpleLive.Realtime.Tests;

/// <summary>A server with small outgoing queues, so a stalled subscriber overflows quickly.</summary>
public sealed class SmallQueueServer : RealtimeServer
{
    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["GitpleLive:Realtime:MaxQueuedPackets"] = "64",
        ["GitpleLive:Realtime:MaxQueuedBytes"] = "131072",
        ["GitpleLive:Realtime:WriteStallTimeout"] = "00:05:00",
    };
}

/// <summary>A subscriber that stops reading is disconnected once its queue is full, and never delays the others.</summary>
public sealed class SlowSubscriberTests(SmallQueueServer server) : IClassFixture<SmallQueueServer>
{
    private const string App = RealtimeServer.AppId;

    [Fact]
    public async Task Stalled_subscriber_is_cut_and_the_others_get_everything_in_order()
    {
        var channel = RealtimeServer.NewId("c");
        var healthy = await server.ConnectNewUserAsync(App);
        await using var _ = healthy;
        var (staller, stallerToken) = await server.NewUserAsync();
        await server.CreateChannelAsync(App, channel, [healthy.UserId, staller]);
        await healthy.SubscribeOkAsync(Topics.ChannelAll(App, channel));

        await using var stalled = await RawMqttClient.OpenAsync(server.Port, receiveBuffer: 4096);
        var stalledClientId = RealtimeServer.ClientIdOf(App, staller);
        await stalled.ConnectAsync(stalledClientId, staller, stallerToken);
        Assert.Equal(0, await stalled.SubscribeAsync(Topics.ChannelAll(App, channel)));
        var presence = server.Service<IPresence>();
        Assert.True(await presence.IsClientConnectedAsync(App, staller, stalledClientId));

        // Publish until the stalled client is dropped (bounded), reading the healthy client as we go.
        var blob = new string('z', 1024);
        var published = 0;
        var received = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await presence.IsClientConnectedAsync(App, staller, stalledClientId))
        {
            Assert.True(DateTime.UtcNow < deadline && published < 100_000, $"still connected after {published} events");
            // Bursts well below the queue bound: a healthy subscriber must never come near it.
            for (var i = 0; i < 16; i++)
                await server.PublishAsync(Events.Channel(App, channel, "group:message_send", new { seq = published++, blob }));
            while (received < published)
                Assert.Equal(received++, (await healthy.NextAsync()).Json.GetProperty("data").GetProperty("seq").GetInt32());
        }

        // The cut is counted on /metrics.
        using (var http = new HttpClient())
        {
            var metrics = await http.GetStringAsync($"{server.BaseUrl}/metrics");
            var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("gitplelive_slow_consumers_cut_total", StringComparison.Ordinal));
            Assert.NotNull(line);
            Assert.True(double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) >= 1, line);
        }

        // The healthy subscriber keeps getting everything after the cut.
        for (var round = 0; round < 10; round++)
        {
            for (var i = 0; i < 16; i++)
                await server.PublishAsync(Events.Channel(App, channel, "group:message_send", new { seq = published++, blob }));
            while (received < published)
                Assert.Equal(received++, (await healthy.NextAsync()).Json.GetProperty("data").GetProperty("seq").GetInt32());
        }
        await healthy.ExpectNothingMoreAsync(server);
    }

    [Fact]
    public async Task Packets_waiting_together_share_websocket_messages()
    {
        // Several queued packets go out in one WebSocket message; readers must not assume one packet per frame
        // [MQTT-6.0.0-2]. A burst published while the raw client is not reading shows it.
        var channel = RealtimeServer.NewId("c");
        var (user, token) = await server.NewUserAsync();
        await server.CreateChannelAsync(App, channel, [user]);
        await using var raw = await RawMqttClient.OpenAsync(server.Port);
        await raw.ConnectAsync(RealtimeServer.ClientIdOf(App, user), user, token);
        Assert.Equal(0, await raw.SubscribeAsync(Topics.ChannelAll(App, channel)));

        for (var i = 0; i < 40; i++) await server.PublishAsync(Events.Channel(App, channel, "group:message_send", new { seq = i }));
        for (var i = 0; i < 40; i++)
        {
            var packet = await raw.ReadPacketAsync();
            Assert.Equal(0x30, packet[0]);
        }
    }
}
