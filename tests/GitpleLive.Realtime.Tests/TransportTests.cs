namespace GitpleLive.Realtime.Tests;

/// <summary>The WebSocket endpoint itself: sub-protocols, keep-alive, shutdown.</summary>
public sealed class TransportTests(RealtimeServer server) : IClassFixture<RealtimeServer>
{
    private const string App = RealtimeServer.AppId;

    [Theory]
    [InlineData("mqtt", "mqtt")]
    [InlineData("mqttv3.1", "mqttv3.1")]
    [InlineData("mqttv3.1, mqtt", "mqtt")]
    public async Task Mqtt_sub_protocol_is_selected(string requested, string selected)
    {
        await using var raw = await RawMqttClient.OpenAsync(server.Port, subProtocol: requested);
        Assert.Contains($"Sec-WebSocket-Protocol: {selected}\r\n", raw.ResponseHeaders, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Other_sub_protocols_are_refused()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => RawMqttClient.OpenAsync(server.Port, subProtocol: "graphql-ws"));
    }

    [Fact]
    public async Task Pingreq_is_answered_in_order_with_events()
    {
        var (user, token) = await server.NewUserAsync();
        await using var raw = await RawMqttClient.OpenAsync(server.Port);
        await raw.ConnectAsync(RealtimeServer.ClientIdOf(App, user), user, token);
        Assert.Equal(0, await raw.SubscribeAsync(Topics.User(App, user)));
        await raw.SendMqttAsync(0xC0, []);
        Assert.Equal(new byte[] { 0xD0, 0x00 }, await raw.ReadPacketAsync());
        await server.PublishAsync(Events.User(App, user, "user_update"));
        await raw.SendMqttAsync(0xC0, []);
        Assert.Equal(0x30, (await raw.ReadPacketAsync())[0]);
        Assert.Equal(new byte[] { 0xD0, 0x00 }, await raw.ReadPacketAsync());
    }

    [Fact]
    public async Task Stopping_the_server_closes_connections_at_once()
    {
        var own = new RealtimeServer();
        await own.InitializeAsync();
        await using var client = await own.ConnectNewUserAsync();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await own.DisposeAsync();
        // The web server would otherwise wait for its shutdown timeout (30 s) on every open WebSocket.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {stopwatch.Elapsed}");
        await client.Disconnected.WaitAsync(TestClient.Timeout);
    }
}
