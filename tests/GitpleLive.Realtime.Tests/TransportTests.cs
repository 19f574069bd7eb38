using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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

    [Theory]
    [InlineData("graphql-ws")]
    [InlineData("wamp, graphql-transport-ws")]
    public async Task Other_sub_protocols_are_refused_with_400(string requested)
    {
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            RawMqttClient.OpenAsync(server.Port, subProtocol: requested));
        // RawMqttClient puts the server's answer after "no upgrade: "; the WebSocket is never opened.
        Assert.StartsWith("no upgrade: HTTP/1.1 400 ", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Sec-WebSocket-Protocol", refused.Message, StringComparison.OrdinalIgnoreCase);
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
        var own = new FixedShutdownServer();
        await own.InitializeAsync();
        await using var client = await own.ConnectNewUserAsync();
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await own.Host.StopAsync();
        var stopping = stopwatch.Elapsed;
        await own.DisposeAsync();
        // The web server waits up to its shutdown timeout for requests still open, and an open WebSocket is one,
        // so the broker has to close them itself. The bound is a third of that timeout: far above a slow stop
        // on a busy machine, far below what waiting for the timeout would take.
        Assert.True(stopping < FixedShutdownServer.ShutdownTimeout / 3, $"stopping took {stopping}");
        await client.Disconnected.WaitAsync(TestClient.Timeout);
    }

    private sealed class FixedShutdownServer : RealtimeServer
    {
        public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

        protected override void Configure(WebApplicationBuilder builder) =>
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
    }
}
