using GitpleLive.Server.Events;

namespace GitpleLive.Realtime.Tests;

/// <summary>"Deliver, then cut": a user losing a channel hears why, then stops hearing the channel even without unsubscribing.</summary>
public sealed class CutTests(RealtimeServer server) : IClassFixture<RealtimeServer>
{
    private const string App = RealtimeServer.AppId;

    [Theory]
    [InlineData("group:channel_leave")]
    [InlineData("group:channel_ban")]
    [InlineData("group:channel_delete")]
    public async Task Losing_the_channel_cuts_all_and_manager_topics_after_the_event(string category)
    {
        var leaver = await server.ConnectNewUserAsync(App);
        var stayer = await server.ConnectNewUserAsync(App);
        await using var a = leaver; await using var b = stayer;
        // The leaver has a second connection, which must be cut too.
        await using var leaverAgain = await server.ConnectAsync(App, leaver.UserId, await server.SdkTokenAsync(App, leaver.UserId));
        await leaverAgain.SubscribeOkAsync(Topics.User(App, leaver.UserId));

        var channel = RealtimeServer.NewId("c");
        await server.CreateChannelAsync(App, channel, [leaver.UserId, stayer.UserId], [leaver.UserId]);
        foreach (var c in new[] { leaver, leaverAgain, stayer }) await c.SubscribeOkAsync(Topics.ChannelAll(App, channel));
        await leaver.SubscribeOkAsync(Topics.ChannelManager(App, channel));
        await leaverAgain.SubscribeOkAsync(Topics.ChannelManager(App, channel));

        await server.RemoveMemberAsync(App, channel, leaver.UserId);
        await server.PublishAsync(Events.Channel(App, channel, category, cuts: [new SubscriptionCut(leaver.UserId, "group", channel, ManagerOnly: false)]));

        foreach (var c in new[] { leaver, leaverAgain, stayer })
            Assert.Equal(category, (await c.NextAsync()).Category);

        await server.PublishAsync(Events.Channel(App, channel, "group:message_send"), Events.Manager(App, channel, "group:report_create"));
        Assert.Equal("group:message_send", (await stayer.NextAsync()).Category);
        await stayer.ExpectNothingMoreAsync(server);
        await leaver.ExpectNothingMoreAsync(server);
        leaverAgain.AppId = App;
        await leaverAgain.ExpectNothingMoreAsync(server);
        Assert.True(leaver.Mqtt.IsConnected);
    }

    [Fact]
    public async Task Manager_removal_cuts_only_the_manager_topic()
    {
        var manager = await server.ConnectNewUserAsync(App);
        await using var _ = manager;
        var channel = RealtimeServer.NewId("c");
        await server.CreateChannelAsync(App, channel, [manager.UserId], [manager.UserId]);
        await manager.SubscribeOkAsync(Topics.ChannelAll(App, channel));
        await manager.SubscribeOkAsync(Topics.ChannelManager(App, channel));

        await server.SetManagerAsync(App, channel, manager.UserId, false);
        await server.PublishAsync(Events.Channel(App, channel, "group:channel_manager_delete", cuts: [new SubscriptionCut(manager.UserId, "group", channel, ManagerOnly: true)]));
        Assert.Equal("group:channel_manager_delete", (await manager.NextAsync()).Category);

        await server.PublishAsync(Events.Manager(App, channel, "group:report_create"), Events.Channel(App, channel, "group:message_send"));
        Assert.Equal("group:message_send", (await manager.NextAsync()).Category);
        await manager.ExpectNothingMoreAsync(server);
    }

    [Fact]
    public async Task A_cut_user_can_subscribe_again_once_entitled_again()
    {
        var user = await server.ConnectNewUserAsync(App);
        await using var _ = user;
        var channel = RealtimeServer.NewId("c");
        await server.CreateChannelAsync(App, channel, [user.UserId]);
        await user.SubscribeOkAsync(Topics.ChannelAll(App, channel));
        await server.RemoveMemberAsync(App, channel, user.UserId);
        await server.PublishAsync(Events.Channel(App, channel, "group:channel_leave", cuts: [new SubscriptionCut(user.UserId, "group", channel, false)]));
        Assert.Equal("group:channel_leave", (await user.NextAsync()).Category);
        Assert.Equal(MQTTnet.MqttClientSubscribeResultCode.UnspecifiedError, await user.SubscribeAsync(Topics.ChannelAll(App, channel)));

        await server.Service<GitpleLive.Server.Storage.ChatStore>().WriteAsync(db =>
        {
            db.Members.Add(new GitpleLive.Server.Storage.MemberRow { AppId = App, ChannelId = channel, UserId = user.UserId });
            return Task.CompletedTask;
        });
        await user.SubscribeOkAsync(Topics.ChannelAll(App, channel));
        await server.PublishAsync(Events.Channel(App, channel, "group:message_send"));
        Assert.Equal("group:message_send", (await user.NextAsync()).Category);
    }

    [Fact]
    public async Task User_delete_is_delivered_then_the_connection_is_closed()
    {
        var user = await server.ConnectNewUserAsync(App);
        await using var _ = user;
        await server.PublishAsync(Events.User(App, user.UserId, "user_delete"));
        Assert.Equal("user_delete", (await user.NextAsync()).Category);
        await user.Disconnected.WaitAsync(TestClient.Timeout);
    }
}
