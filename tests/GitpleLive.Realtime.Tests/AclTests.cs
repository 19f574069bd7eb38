using GitpleLive.Server.Events;
using MQTTnet;
using MQTTnet.Formatter;

namespace GitpleLive.Realtime.Tests;

/// <summary>SUBSCRIBE is granted only for the topics the user is entitled to now; everything else gets 0x80 (PROTOCOL §6).</summary>
public sealed class AclTests(RealtimeServer server) : IClassFixture<RealtimeServer>
{
    private const string App = RealtimeServer.AppId;
    private static readonly string P = Topics.Prefix(App);

    private async Task<(TestClient Client, string Member, string Manager, string Outsider, string Channel)> SetupAsync(MqttProtocolVersion version = MqttProtocolVersion.V311)
    {
        var (member, token) = await server.NewUserAsync();
        var (manager, _) = await server.NewUserAsync();
        var (outsider, _) = await server.NewUserAsync();
        var channel = RealtimeServer.NewId("c");
        await server.CreateChannelAsync(App, channel, [member, manager], managers: [manager]);
        var client = await server.ConnectAsync(App, member, token, version);
        return (client, member, manager, outsider, channel);
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Own_user_topic_and_member_channel_are_granted(MqttProtocolVersion version)
    {
        var (client, member, _, _, channel) = await SetupAsync(version);
        await using var _ = client;
        await client.SubscribeOkAsync(Topics.User(App, member));
        await client.SubscribeOkAsync(Topics.ChannelAll(App, channel));
    }

    [Fact]
    public async Task Manager_topic_is_granted_to_managers_only()
    {
        var (client, _, manager, _, channel) = await SetupAsync();
        await using var _ = client;
        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, await client.SubscribeAsync(Topics.ChannelManager(App, channel)));

        await using var managerClient = await server.ConnectAsync(App, manager, await server.SdkTokenAsync(App, manager));
        await managerClient.SubscribeOkAsync(Topics.ChannelManager(App, channel));
        await managerClient.SubscribeOkAsync(Topics.ChannelAll(App, channel));
    }

    [Fact]
    public async Task Requested_qos_1_is_granted_as_qos_0()
    {
        var (client, member, _, _, _) = await SetupAsync();
        await using var _ = client;
        var result = await client.Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.User(App, member), MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, result.Items.Single().ResultCode);
    }

    public static TheoryData<string> ForbiddenFilters(string member, string manager, string outsider, string channel) =>
    [
        Topics.User(App, outsider),                                // another user
        Topics.User(App, manager),
        Topics.ChannelAll(App, RealtimeServer.NewId("nochannel")), // a channel that does not exist
        "#",
        "+/#",
        $"{P}/#",                                                  // app-wide wildcards
        $"{P}/+/#",
        $"{P}/user/#",
        $"{P}/user/all/#",
        $"{P}/user/all/+/#",
        $"{P}/user/+/{member}/#",
        $"{P}/channel/#",
        $"{P}/channel/group/#",
        $"{P}/channel/group/+/all/#",
        $"{P}/channel/+/{channel}/all/#",
        $"{P}/channel/group/{channel}/+/#",
        $"{P}/channel/group/{channel}/#",
        $"{P}/channel/group/{channel}/all/+",
        $"{P}/channel/group/{channel}/all",                         // exact topics, not the protocol's shapes
        $"{P}/channel/group/{channel}/all/group:message_send",
        $"{P}/user/all/{member}",
        $"{P}/user/all/{member}/user_update",
        $"{P}/channel/secret/{channel}/all/#",                     // unknown channel type
        $"{P}/channel/open/{channel}/all/#",                       // a known type, but not this channel's (it is a group)
        $"{P}/channel/open/{channel}/manager/#",
        $"{P}/channel/group/{channel}/everyone/#",
        $"{P}//user/all/{member}/#",
        $"{Topics.Prefix(RealtimeServer.OtherAppId)}/user/all/{member}/#", // another app
        $"{Topics.Prefix(RealtimeServer.OtherAppId)}/channel/group/{channel}/all/#",
        "mqtt/topic/gitple/live/#",
        "mqtt/topic/gitple/live/+/user/all/" + member + "/#",
        "$SYS/#",
        "$share/g/" + Topics.User(App, member),
    ];

    [Fact]
    public async Task Everything_else_gets_0x80()
    {
        var (client, member, manager, outsider, channel) = await SetupAsync();
        await using var _ = client;
        foreach (var filter in ForbiddenFilters(member, manager, outsider, channel))
        {
            var code = await client.SubscribeAsync(filter);
            Assert.True(code == MqttClientSubscribeResultCode.UnspecifiedError || filter.StartsWith("$share") && code >= MqttClientSubscribeResultCode.UnspecifiedError,
                $"{filter}: {code}");
        }
        // Still connected and still able to subscribe to what it may.
        await client.SubscribeOkAsync(Topics.ChannelAll(App, channel));
    }

    [Fact]
    public async Task Refused_subscriptions_receive_nothing()
    {
        var (client, member, manager, outsider, channel) = await SetupAsync();
        await using var _ = client;
        await client.SubscribeOkAsync(Topics.User(App, member));
        foreach (var filter in ForbiddenFilters(member, manager, outsider, channel)) await client.SubscribeAsync(filter);

        // The member's own channel topic is restored on CONNECT (PROTOCOL §9), so its group events arrive; the same id
        // under another channel type must not.
        var otherType = Events.Channel(App, channel, "group:message_send");
        await server.PublishAsync(
            Events.User(App, outsider, "user_update"),
            new ChatEvent
            {
                AppId = App, TopicKind = EventTopicKind.ChannelAll, TargetId = channel, ChannelType = "open", Payload = otherType.Payload,
            },
            Events.Manager(App, channel, "group:report_create"),
            Events.User(RealtimeServer.OtherAppId, member, "user_update"));
        await client.ExpectNothingMoreAsync(server);
    }

    [Fact]
    public async Task Membership_is_checked_at_subscribe_time()
    {
        var (client, member, _, _, channel) = await SetupAsync();
        await using var _ = client;
        await server.RemoveMemberAsync(App, channel, member);
        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, await client.SubscribeAsync(Topics.ChannelAll(App, channel)));
        await server.SetManagerAsync(App, channel, member, true); // no row any more: still nothing
        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, await client.SubscribeAsync(Topics.ChannelManager(App, channel)));
    }

    [Fact]
    public async Task Client_publish_is_dropped()
    {
        var (client, member, manager, _, channel) = await SetupAsync();
        await using var _ = client;
        await using var listener = await server.ConnectAsync(App, manager, await server.SdkTokenAsync(App, manager));
        await listener.SubscribeOkAsync(Topics.ChannelAll(App, channel));
        await listener.SubscribeOkAsync(Topics.User(App, manager));
        await client.SubscribeOkAsync(Topics.User(App, member));

        foreach (var qos in new[] { MQTTnet.Protocol.MqttQualityOfServiceLevel.AtMostOnce, MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce })
        {
            await client.Mqtt.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic($"{P}/channel/group/{channel}/all/group:message_send").WithPayload("{\"category\":\"group:message_send\"}")
                .WithQualityOfServiceLevel(qos).Build());
            await client.Mqtt.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic($"{P}/user/all/{member}/user_update").WithPayload("{}").WithQualityOfServiceLevel(qos).Build());
        }
        listener.AppId = App;
        await listener.ExpectNothingMoreAsync(server);
        await client.ExpectNothingMoreAsync(server);
        Assert.True(client.Mqtt.IsConnected);
    }

    [Fact]
    public async Task Unsubscribe_stops_delivery()
    {
        var (client, member, _, _, channel) = await SetupAsync();
        await using var _ = client;
        await client.SubscribeOkAsync(Topics.User(App, member));
        await client.SubscribeOkAsync(Topics.ChannelAll(App, channel));
        await server.PublishAsync(Events.Channel(App, channel, "group:channel_update"));
        Assert.Equal("group:channel_update", (await client.NextAsync()).Category);

        await client.UnsubscribeAsync(Topics.ChannelAll(App, channel));
        await server.PublishAsync(Events.Channel(App, channel, "group:channel_update"));
        await client.ExpectNothingMoreAsync(server);
    }
}

/// <summary>Events as the services would publish them, with small payloads.</summary>
public static class Events
{
    public static ChatEvent User(string app, string userId, string category, object? data = null, IReadOnlyList<SubscriptionCut>? cuts = null) => new()
    {
        AppId = app,
        TopicKind = EventTopicKind.User,
        TargetId = userId,
        Payload = new EventPayload(category, User: new { user_id = userId }, Data: data),
        CutsAfter = cuts ?? [],
    };

    public static ChatEvent Channel(string app, string channelId, string category, object? data = null, IReadOnlyList<SubscriptionCut>? cuts = null) => new()
    {
        AppId = app,
        TopicKind = EventTopicKind.ChannelAll,
        TargetId = channelId,
        Payload = new EventPayload(category, Channel: new { channel_id = channelId }, Data: data),
        CutsAfter = cuts ?? [],
    };

    public static ChatEvent Manager(string app, string channelId, string category, object? data = null) => new()
    {
        AppId = app,
        TopicKind = EventTopicKind.ChannelManager,
        TargetId = channelId,
        Payload = new EventPayload(category, Channel: new { channel_id = channelId }, Data: data),
    };
}
