using System.Net.WebSockets;
using GitpleLive.Server.Events;
using GitpleLive.Server.Realtime;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet;

namespace GitpleLive.Realtime.Tests;

/// <summary>The pieces of the fast path on their own.</summary>
public sealed class UnitTests
{
    private const string P = "mqtt/topic/gitple/live/app1";

    [Theory]
    [InlineData(P + "/user/all/u1/#", "User", "", "u1")]
    [InlineData(P + "/channel/group/c1/all/#", "ChannelAll", "group", "c1")]
    [InlineData(P + "/channel/group/c1/manager/#", "ChannelManager", "group", "c1")]
    [InlineData(P + "/channel/open/c:2/all/#", "ChannelAll", "open", "c:2")]
    public void Protocol_filters_parse(string filter, string kind, string type, string target)
    {
        Assert.True(RealtimeTopics.TryParseFilter(filter, "app1", out var t));
        Assert.Equal(kind, t.Kind.ToString());
        Assert.Equal(type, t.ChannelType);
        Assert.Equal(target, t.TargetId);
        Assert.Equal(filter[..^1], t.Key);
    }

    [Theory]
    [InlineData("#")]
    [InlineData(P + "/#")]
    [InlineData(P + "/user/all/#")]
    [InlineData(P + "/user/all/+/#")]
    [InlineData(P + "/user/all/u1")]
    [InlineData(P + "/user/all/u1/x")]
    [InlineData(P + "/user/all/u1/x/#")]
    [InlineData(P + "/user/any/u1/#")]
    [InlineData(P + "/channel/group/c1/#")]
    [InlineData(P + "/channel/group/c1/all")]
    [InlineData(P + "/channel/group//all/#")]
    [InlineData(P + "/channel/x/c1/all/#")]
    [InlineData(P + "/channel/group/c1/all/extra/#")]
    [InlineData("mqtt/topic/gitple/live/app12/user/all/u1/#")]
    [InlineData("mqtt/topic/gitple/live/app/user/all/u1/#")]
    [InlineData(P + "user/all/u1/#")]
    public void Everything_else_does_not(string filter)
    {
        Assert.False(RealtimeTopics.TryParseFilter(filter, "app1", out _));
    }

    [Fact]
    public void Event_keys_match_filter_keys()
    {
        ChatEvent Event(EventTopicKind kind, string target) => new()
        {
            AppId = "app1", TopicKind = kind, TargetId = target, Payload = new EventPayload("group:message_send"),
        };
        RealtimeTopics.TryParseFilter(P + "/channel/group/c1/all/#", "app1", out var all);
        RealtimeTopics.TryParseFilter(P + "/channel/group/c1/manager/#", "app1", out var manager);
        RealtimeTopics.TryParseFilter(P + "/user/all/u1/#", "app1", out var user);
        Assert.Equal(all.Key, RealtimeTopics.KeyOf(Event(EventTopicKind.ChannelAll, "c1")));
        Assert.Equal(manager.Key, RealtimeTopics.KeyOf(Event(EventTopicKind.ChannelManager, "c1")));
        Assert.Equal(user.Key, RealtimeTopics.KeyOf(Event(EventTopicKind.User, "u1")));
        Assert.StartsWith(all.Key, Event(EventTopicKind.ChannelAll, "c1").Topic);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(100, false)]
    [InlineData(200, true)]
    [InlineData(20_000, false)]
    [InlineData(3_000_000, true)]
    public void Publish_packets_decode_with_mqttnet(int payloadLength, bool mqtt5)
    {
        var topic = P + "/channel/group/ü/all/group:message_send";
        var payload = new byte[payloadLength];
        Random.Shared.NextBytes(payload);
        var bytes = PublishPacket.Encode(topic, payload, mqtt5);

        var version = mqtt5 ? MQTTnet.Formatter.MqttProtocolVersion.V500 : MQTTnet.Formatter.MqttProtocolVersion.V311;
        var formatter = new MQTTnet.Formatter.MqttPacketFormatterAdapter(version, new MQTTnet.Formatter.MqttBufferWriter(4096, 65536));
        var headerLength = 1;
        while ((bytes[headerLength] & 0x80) != 0) headerLength++;
        headerLength++;
        var received = new MQTTnet.Adapter.ReceivedMqttPacket(bytes[0], new ArraySegment<byte>(bytes, headerLength, bytes.Length - headerLength), bytes.Length);
        var packet = Assert.IsType<MQTTnet.Packets.MqttPublishPacket>(formatter.Decode(received));
        Assert.Equal(topic, packet.Topic);
        Assert.Equal(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtMostOnce, packet.QualityOfServiceLevel);
        Assert.False(packet.Retain);
        Assert.Equal(payload, System.Buffers.BuffersExtensions.ToArray(packet.Payload));
    }

    private static RealtimeConnection Connection(string userId)
    {
        var socket = WebSocket.CreateFromStream(new MemoryStream(), new WebSocketCreationOptions { IsServer = true });
        var connection = new RealtimeConnection(socket, new DefaultHttpContext(), new RealtimeOptions(), NullLogger.Instance, _ => { });
        connection.Authenticate("app1", userId, $"app1::{userId}", mqtt5: false, maximumPacketSize: 0);
        return connection;
    }

    [Fact]
    public void A_cut_during_the_acl_check_spoils_the_subscription()
    {
        var registry = new SubscriptionRegistry();
        var alice = Connection("alice");
        var bob = Connection("bob");
        var key = RealtimeTopics.ChannelKey("app1", "group", "c1", manager: false);

        var aliceCheck = registry.BeginSubscribe(alice, key);
        var bobCheck = registry.BeginSubscribe(bob, key);
        // Alice is banned while her membership is being checked (the check saw her still a member).
        registry.Cut(key, "alice");
        Assert.False(registry.CompleteSubscribe(aliceCheck, granted: true));
        Assert.True(registry.CompleteSubscribe(bobCheck, granted: true));
        Assert.Equal([bob], registry.Find(key)!.Connections);

        // Refused checks leave nothing behind; the last subscriber gone removes the key.
        Assert.False(registry.CompleteSubscribe(registry.BeginSubscribe(alice, key), granted: false));
        registry.RemoveConnection(bob);
        Assert.Null(registry.Find(key));
        Assert.Equal(0, registry.TopicCount);
        // A connection that has gone cannot come back into the registry.
        Assert.False(registry.CompleteSubscribe(registry.BeginSubscribe(bob, key), granted: true));
        Assert.Null(registry.Find(key));
    }

    [Fact]
    public void Cuts_remove_only_that_user_and_unsubscribe_reports_existence()
    {
        var registry = new SubscriptionRegistry();
        var alice1 = Connection("alice");
        var alice2 = Connection("alice");
        var bob = Connection("bob");
        var key = RealtimeTopics.ChannelKey("app1", "group", "c1", manager: true);
        foreach (var c in new[] { alice1, alice2, bob }) Assert.True(registry.CompleteSubscribe(registry.BeginSubscribe(c, key), true));
        Assert.Equal(2, registry.Cut(key, "alice"));
        Assert.Equal([bob], registry.Find(key)!.Connections);
        Assert.False(registry.Unsubscribe(alice1, key));
        Assert.True(registry.Unsubscribe(bob, key));
        Assert.Null(registry.Find(key));
    }
}
