using GitpleLive.Server.Events;
using MQTTnet;

namespace GitpleLive.Realtime.Tests;

/// <summary>A user is online while at least one MQTT connection of theirs is up (PROTOCOL §6).</summary>
public sealed class PresenceTests(RealtimeServer server) : IClassFixture<RealtimeServer>
{
    private const string App = RealtimeServer.AppId;

    private IPresence Presence => server.Service<IPresence>();

    private async Task<bool> OnlineAsync(string userId) => (await Presence.OnlineAsync(App, [userId])).Count == 1;

    private static Task EventuallyAsync(Func<Task<bool>> condition, string what) => RealtimeServer.EventuallyAsync(condition, what);

    [Fact]
    public async Task Presence_follows_connects_and_disconnects()
    {
        var (user, token) = await server.NewUserAsync();
        Assert.False(await OnlineAsync(user));

        var first = await server.ConnectAsync(App, user, token);
        Assert.True(await OnlineAsync(user));
        Assert.True(await Presence.IsClientConnectedAsync(App, user, first.ClientId));

        var second = await server.ConnectAsync(App, user, token);
        await first.DisposeAsync();
        await EventuallyAsync(async () => !await Presence.IsClientConnectedAsync(App, user, first.ClientId), "the first client to go");
        Assert.True(await OnlineAsync(user));

        await second.DisposeAsync();
        await EventuallyAsync(async () => !await OnlineAsync(user), "the user to go offline");
    }

    [Fact]
    public async Task Dropped_socket_counts_as_disconnect()
    {
        var (user, token) = await server.NewUserAsync();
        var client = await server.ConnectAsync(App, user, token);
        Assert.True(await OnlineAsync(user));
        client.Mqtt.Dispose(); // no DISCONNECT packet: the socket just goes
        await EventuallyAsync(async () => !await OnlineAsync(user), "the user to go offline");
    }

    [Fact]
    public async Task Reconnect_with_the_same_client_id_stays_online()
    {
        var (user, token) = await server.NewUserAsync();
        var clientId = RealtimeServer.ClientIdOf(App, user);
        await using var first = await server.ConnectAsync(App, user, token, clientId: clientId);
        await using var second = await server.ConnectAsync(App, user, token, clientId: clientId);
        // The first session is taken over and closed; the client id is still connected.
        await first.Disconnected.WaitAsync(TestClient.Timeout);
        Assert.True(await Presence.IsClientConnectedAsync(App, user, clientId));
        await second.Mqtt.DisconnectAsync();
        await EventuallyAsync(async () => !await Presence.IsClientConnectedAsync(App, user, clientId), "the client id to go");
    }

    [Fact]
    public async Task Refused_connects_are_not_online()
    {
        var (user, _) = await server.NewUserAsync();
        await Assert.ThrowsAsync<ConnectRefusedException>(() => server.ConnectAsync(App, user, "bad-token"));
        Assert.False(await OnlineAsync(user));
    }
}
