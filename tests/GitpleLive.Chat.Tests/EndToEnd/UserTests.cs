using System.Net.Http.Json;

namespace GitpleLive.Chat.Tests.EndToEnd;

/// <summary>The connected user's own profile calls and events against the real server.</summary>
public sealed class UserTests : IAsyncLifetime
{
    private Harness _h = null!;

    public async Task InitializeAsync() => _h = await Harness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Me_update_and_meta_with_the_user_update_event()
    {
        var id = Harness.NewId("ann");
        var client = await _h.ConnectAsync(id);
        var me = await client.User.MeAsync();
        Assert.Equal(id, me.UserId);

        var updated = Events.Next<UserEventArgs>(h => client.User.UserUpdated += h, e => e.User.Name == "Ann B.");
        var user = await client.User.UpdateUserAsync(name: "Ann B.", profileUrl: "https://example.com/a.png");
        Assert.Equal(("Ann B.", "https://example.com/a.png"), (user.Name, user.ProfileUrl));
        Assert.Equal("https://example.com/a.png", (await updated).User.ProfileUrl);

        var withMeta = await client.User.UpdateMetaAsync(new Dictionary<string, string> { ["lang"] = "en", ["tz"] = "UTC" });
        Assert.Equal(("en", "UTC"), (withMeta.Meta!["lang"], withMeta.Meta["tz"]));
        var less = await client.User.DeleteMetaAsync(["lang"]);
        Assert.False(less.Meta!.ContainsKey("lang"));
        Assert.Equal("UTC", (await client.User.MeAsync()).Meta!["tz"]);
    }

    [Fact]
    public async Task Handlers_run_off_the_network_loop_so_a_slow_one_does_not_stall_the_connection()
    {
        var id = Harness.NewId("slow");
        var client = await _h.ConnectAsync(id, _h.ViaNetwork);
        using var release = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        var first = true;
        client.User.UserUpdated += (_, _) =>
        {
            if (!first) return;
            first = false;
            entered.Set();
            release.Wait(TimeSpan.FromSeconds(60));
        };
        try
        {
            await client.User.UpdateUserAsync(name: "one");
            Assert.True(entered.Wait(Events.Timeout), "the handler never ran");
            // While the first handler blocks, calls go on, and so does the network loop: the server adds the user
            // to a channel, and the client reads user_joined_channel and subscribes to the channel on the wire.
            for (var i = 0; i < 3; i++) Assert.Equal(id, (await client.User.MeAsync()).UserId);
            var channel = Harness.NewId("busy");
            (await _h.Server.Platform.PostAsJsonAsync("/v1/group/channels", new { channel_id = channel, name = "Busy", members = new[] { id } }))
                .EnsureSuccessStatusCode();
            var topic = $"mqtt/topic/gitple/live/{_h.Server.AppId}/channel/group/{channel}/all/#";
            await _h.Network.WaitForClientPacketAsync(p => p.Type == MqttPacket.Subscribe && p.Topics.Contains(topic));
            Assert.False(release.IsSet);
            Assert.True(client.Connection.IsConnected);
        }
        finally
        {
            release.Set();
        }
        var later = Events.Next<UserEventArgs>(h => client.User.UserUpdated += h, e => e.User.Name == "two");
        await client.User.UpdateUserAsync(name: "two");
        await later;
    }
}
