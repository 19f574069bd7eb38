using GitpleLive.Server.Api;
using GitpleLive.Server.Auth;
using GitpleLive.Server.Events;
using GitpleLive.Server.Services;

namespace GitpleLive.Realtime.Tests;

/// <summary>
/// Open channels over MQTT (PROTOCOL §10): only participants subscribe to <c>P/channel/open/{id}/all/#</c>; the
/// <c>open:*</c> events arrive there with their exact fields and nowhere else; exit, ban and delete deliver, then cut.
/// </summary>
public sealed class OpenChannelRealtimeTests(RealtimeServer server) : IClassFixture<RealtimeServer>
{
    private const string App = RealtimeServer.AppId;

    private OpenChannelService Open => server.Service<OpenChannelService>();

    private async Task<ChatCaller> CallerAsync(string userId, string appId = App) =>
        ChatCaller.User((await server.Service<AppService>().FindAsync(appId))!, userId);

    private async Task<(TestClient Owner, string Channel)> NewChannelAsync()
    {
        var owner = await server.ConnectNewUserAsync(App);
        var channel = RealtimeServer.NewId("open");
        await Open.CreateAsync(await CallerAsync(owner.UserId), new OpenChannelService.CreateRequest(channel, "Live", null, null, null));
        await Open.EnterAsync(await CallerAsync(owner.UserId), channel);
        await owner.SubscribeOkAsync(Topics.ChannelAll(App, channel, "open"));
        return (owner, channel);
    }

    private static void AssertFields(Received r, params string[] fields) =>
        Assert.Equal(fields.Append("category").Append("app_id").Order(StringComparer.Ordinal),
            r.Json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));

    [Fact]
    public async Task Only_participants_subscribe_and_hear_open_events_on_the_open_topic()
    {
        var (owner, channel) = await NewChannelAsync();
        await using var _ = owner;
        await using var listener = await server.ConnectNewUserAsync(App);
        var topic = Topics.ChannelAll(App, channel, "open");

        // Not entered: refused; the manager topic and the group shape of the same id too.
        Assert.Equal(MQTTnet.MqttClientSubscribeResultCode.UnspecifiedError, await listener.SubscribeAsync(topic));
        Assert.Equal(MQTTnet.MqttClientSubscribeResultCode.UnspecifiedError, await listener.SubscribeAsync(Topics.ChannelManager(App, channel, "open")));
        Assert.Equal(MQTTnet.MqttClientSubscribeResultCode.UnspecifiedError, await listener.SubscribeAsync(Topics.ChannelAll(App, channel)));

        await Open.EnterAsync(await CallerAsync(listener.UserId), channel);
        await listener.SubscribeOkAsync(topic);
        var sent = await Open.SendAsync(await CallerAsync(owner.UserId), channel, null, "hello all", null);

        foreach (var c in new[] { owner, listener })
        {
            var r = await c.NextAsync();
            Assert.Equal($"mqtt/topic/gitple/live/{App}/channel/open/{channel}/all/open:message_send", r.Topic);
            AssertFields(r, "channel", "message");
            Assert.Equal("open", r.Json.GetProperty("channel").GetProperty("type").GetString());
            Assert.Equal(sent.MessageId, r.Json.GetProperty("message").GetProperty("message_id").GetInt64());
        }
        // Someone who did not enter hears nothing of it.
        await using var outsider = await server.ConnectNewUserAsync(App);
        await outsider.ExpectNothingMoreAsync(server);
        await listener.ExpectNothingMoreAsync(server);
    }

    [Fact]
    public async Task Another_app_cannot_reach_the_channel()
    {
        var (owner, channel) = await NewChannelAsync();
        await using var _ = owner;
        await using var stranger = await server.ConnectNewUserAsync(RealtimeServer.OtherAppId);
        // This app's topic from another app's connection, and the same id under the other app's prefix.
        Assert.Equal(MQTTnet.MqttClientSubscribeResultCode.UnspecifiedError, await stranger.SubscribeAsync(Topics.ChannelAll(App, channel, "open")));
        Assert.Equal(MQTTnet.MqttClientSubscribeResultCode.UnspecifiedError,
            await stranger.SubscribeAsync(Topics.ChannelAll(RealtimeServer.OtherAppId, channel, "open")));
        var ex = await Assert.ThrowsAsync<ApiException>(async () =>
            await Open.EnterAsync(await CallerAsync(stranger.UserId, RealtimeServer.OtherAppId), channel));
        Assert.Equal(1003, ex.Code);
    }

    [Theory]
    [InlineData("exit")]
    [InlineData("ban")]
    [InlineData("delete")]
    public async Task Losing_the_channel_delivers_then_cuts(string how)
    {
        var (owner, channel) = await NewChannelAsync();
        await using var _ = owner;
        await using var leaver = await server.ConnectNewUserAsync(App);
        await using var leaverAgain = await server.ConnectAsync(App, leaver.UserId, await server.SdkTokenAsync(App, leaver.UserId));
        leaverAgain.AppId = App;
        await leaverAgain.SubscribeOkAsync(Topics.User(App, leaver.UserId));
        await Open.EnterAsync(await CallerAsync(leaver.UserId), channel);
        var topic = Topics.ChannelAll(App, channel, "open");
        await leaver.SubscribeOkAsync(topic);
        await leaverAgain.SubscribeOkAsync(topic);

        var ownerCaller = await CallerAsync(owner.UserId);
        string expected;
        switch (how)
        {
            case "exit":
                await Open.ExitAsync(await CallerAsync(leaver.UserId), channel);
                expected = "open:channel_exit";
                break;
            case "ban":
                await Open.BanAsync(ownerCaller, channel, leaver.UserId, 60, null);
                expected = "open:channel_ban";
                break;
            default:
                await Open.DeleteAsync(ownerCaller, channel);
                expected = "open:channel_delete";
                break;
        }
        foreach (var c in new[] { leaver, leaverAgain })
        {
            var r = await c.NextAsync();
            Assert.Equal(expected, r.Category);
            if (how == "exit")
            {
                Assert.EndsWith($"/user/all/{leaver.UserId}/open:channel_exit", r.Topic);
                AssertFields(r, "channel", "user");
            }
            else if (how == "ban") AssertFields(r, "channel", "user", "data");
            else AssertFields(r, "channel");
        }
        if (how != "exit") Assert.Equal(expected, (await owner.NextAsync()).Category);
        else await owner.ExpectNothingMoreAsync(server); // an exit is the leaver's news only

        if (how != "delete")
        {
            await Open.SendAsync(ownerCaller, channel, null, "after", null);
            Assert.Equal("open:message_send", (await owner.NextAsync()).Category);
            // And they cannot take the topic back without entering again.
            Assert.Equal(MQTTnet.MqttClientSubscribeResultCode.UnspecifiedError, await leaver.SubscribeAsync(topic));
        }
        else
        {
            await owner.ExpectNothingMoreAsync(server);
            Assert.Equal(MQTTnet.MqttClientSubscribeResultCode.UnspecifiedError, await owner.SubscribeAsync(topic));
        }
        await leaver.ExpectNothingMoreAsync(server);
        await leaverAgain.ExpectNothingMoreAsync(server);
    }

    [Fact]
    public async Task A_closed_connection_leaves_and_a_reconnect_must_enter_again()
    {
        var (owner, channel) = await NewChannelAsync();
        await using var _ = owner;
        var (user, token) = await server.NewUserAsync(App);
        var client = await server.ConnectAsync(App, user, token);
        await Open.EnterAsync(await CallerAsync(user), channel);
        Assert.True(await server.Service<IOpenParticipants>().IsParticipantAsync(App, channel, user));
        await client.DisposeAsync();
        await RealtimeServer.EventuallyAsync(async () => !await server.Service<IOpenParticipants>().IsParticipantAsync(App, channel, user),
            "the participant to leave");
        await using var again = await server.ConnectAsync(App, user, token);
        Assert.Equal(MQTTnet.MqttClientSubscribeResultCode.UnspecifiedError, await again.SubscribeAsync(Topics.ChannelAll(App, channel, "open")));
    }
}
