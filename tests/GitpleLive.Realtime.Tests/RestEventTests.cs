using System.Net.Http.Json;
using System.Text.Json;
using GitpleLive.TestHost;

namespace GitpleLive.Realtime.Tests;

/// <summary>
/// Every category of PROTOCOL §6, caused through the REST API and received over MQTT by clients that behave
/// like the official SDKs (subscribe on <c>user_joined_channel</c>/<c>user_become_manager</c>, never unsubscribe
/// on their own here): the right topic, exactly the listed fields, nobody else, and the cuts.
/// </summary>
public sealed class RestEventTests(RealtimeServer server) : IClassFixture<RealtimeServer>
{
    private const string App = RealtimeServer.AppId;
    private static readonly string P = Topics.Prefix(App);

    /// <summary>An SDK user: REST client and MQTT client, subscribed to its own topic.</summary>
    private sealed class Member(SdkUser sdk, TestClient mqtt) : IAsyncDisposable
    {
        public SdkUser Sdk { get; } = sdk;
        public TestClient Mqtt { get; } = mqtt;
        public string Id => Sdk.UserId;

        public async ValueTask DisposeAsync()
        {
            await Mqtt.DisposeAsync();
            Sdk.Dispose();
        }
    }

    private async Task<Member> MemberAsync(string prefix)
    {
        var sdk = await server.Host.SdkUserAsync(RealtimeServer.NewId(prefix));
        var mqtt = await server.ConnectAsync(App, sdk.UserId, sdk.SdkToken);
        await mqtt.SubscribeOkAsync(Topics.User(App, sdk.UserId));
        return new Member(sdk, mqtt);
    }

    private static async Task<JsonElement> CallAsync(HttpClient http, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Checks topic and the exact field set of the payload.</summary>
    private static JsonElement Expect(Received got, string topic, string category, params string[] fields)
    {
        Assert.Equal($"{topic}/{category}", got.Topic);
        var json = got.Json;
        var names = json.EnumerateObject().Select(p => p.Name).Order().ToArray();
        // PROTOCOL §9: every payload carries app_id, a ban also banInfo (the Ban, as in data).
        var expected = fields.Append("category").Append("app_id");
        if (category == "group:channel_ban") expected = expected.Append("banInfo");
        Assert.Equal(expected.Order().ToArray(), names);
        Assert.Equal(RealtimeServer.AppId, json.GetProperty("app_id").GetString());
        Assert.Equal(category, json.GetProperty("category").GetString());
        return json;
    }

    private static string UserTopic(string userId) => $"{P}/user/all/{userId}";
    private static string AllTopic(string channel) => $"{P}/channel/group/{channel}/all";
    private static string ManagerTopic(string channel) => $"{P}/channel/group/{channel}/manager";

    [Fact]
    public async Task Every_category_reaches_the_right_clients_with_exactly_its_fields()
    {
        await using var alice = await MemberAsync("alice");
        await using var bob = await MemberAsync("bob");
        await using var carol = await MemberAsync("carol");
        await using var dave = await MemberAsync("dave"); // never in the channel
        var everyone = new[] { alice, bob, carol, dave };
        var channel = RealtimeServer.NewId("room");
        var sdk = "/v1/sdk/group/channels";

        // Creation: the creator and the members hear it on their user topic and subscribe, as the SDKs do.
        await CallAsync(alice.Sdk.Http, HttpMethod.Post, sdk, new { channel_id = channel, name = "Room", members = new[] { bob.Id } });
        var joined = Expect(await alice.Mqtt.NextAsync(), UserTopic(alice.Id), "user_joined_channel", "user", "channel");
        Assert.Equal(channel, joined.GetProperty("channel").GetProperty("channel_id").GetString());
        Assert.Equal(alice.Id, joined.GetProperty("user").GetProperty("user_id").GetString());
        Expect(await alice.Mqtt.NextAsync(), UserTopic(alice.Id), "user_become_manager", "user", "channel");
        Expect(await bob.Mqtt.NextAsync(), UserTopic(bob.Id), "user_joined_channel", "user", "channel");
        await alice.Mqtt.SubscribeOkAsync(Topics.ChannelAll(App, channel));
        await alice.Mqtt.SubscribeOkAsync(Topics.ChannelManager(App, channel));
        await bob.Mqtt.SubscribeOkAsync(Topics.ChannelAll(App, channel));
        Assert.Equal(MQTTnet.MqttClientSubscribeResultCode.UnspecifiedError, await bob.Mqtt.SubscribeAsync(Topics.ChannelManager(App, channel)));
        await carol.Mqtt.ExpectNothingMoreAsync(server);
        Assert.Equal(MQTTnet.MqttClientSubscribeResultCode.UnspecifiedError, await carol.Mqtt.SubscribeAsync(Topics.ChannelAll(App, channel)));

        // Join: the channel hears group:channel_join, the joiner its user-topic twin only.
        await CallAsync(carol.Sdk.Http, HttpMethod.Put, $"{sdk}/{channel}/join");
        foreach (var m in new[] { alice, bob })
            Assert.Equal(carol.Id, Expect(await m.Mqtt.NextAsync(), AllTopic(channel), "group:channel_join", "channel", "user").GetProperty("user").GetProperty("user_id").GetString());
        Expect(await carol.Mqtt.NextAsync(), UserTopic(carol.Id), "user_joined_channel", "user", "channel");
        await carol.Mqtt.SubscribeOkAsync(Topics.ChannelAll(App, channel));
        var members = new[] { alice, bob, carol };

        async Task AllHear(string category, params string[] fields)
        {
            foreach (var m in members) Expect(await m.Mqtt.NextAsync(), AllTopic(channel), category, fields);
        }

        // Messages.
        var message = await CallAsync(bob.Sdk.Http, HttpMethod.Post, $"{sdk}/{channel}/messages", new { type = "text", content = "hello" });
        var messageId = message.GetProperty("message_id").GetInt64();
        foreach (var m in members)
        {
            var sent = Expect(await m.Mqtt.NextAsync(), AllTopic(channel), "group:message_send", "channel", "message");
            Assert.Equal(messageId, sent.GetProperty("message").GetProperty("message_id").GetInt64());
            Assert.Equal("hello", sent.GetProperty("message").GetProperty("content").GetString());
        }
        await CallAsync(bob.Sdk.Http, HttpMethod.Put, $"{sdk}/{channel}/messages/{messageId}/meta", new { meta = new { k = "v" } });
        await AllHear("group:message_update", "channel", "message");
        await CallAsync(bob.Sdk.Http, HttpMethod.Delete, $"{sdk}/{channel}/messages/{messageId}/meta", new { keys = new[] { "k" } });
        await AllHear("group:message_update", "channel", "message");
        await CallAsync(bob.Sdk.Http, HttpMethod.Delete, $"{sdk}/{channel}/messages/{messageId}");
        await AllHear("group:message_delete", "channel", "message");

        // Channel changes.
        await CallAsync(alice.Sdk.Http, HttpMethod.Put, $"{sdk}/{channel}", new { name = "Renamed" });
        await AllHear("group:channel_update", "channel");
        await CallAsync(carol.Sdk.Http, HttpMethod.Put, $"{sdk}/{channel}/meta", new { meta = new { topic = "x" } });
        await AllHear("group:channel_update", "channel");
        await CallAsync(carol.Sdk.Http, HttpMethod.Delete, $"{sdk}/{channel}/meta", new { keys = new[] { "topic" } });
        await AllHear("group:channel_update", "channel");
        await CallAsync(alice.Sdk.Http, HttpMethod.Put, $"{sdk}/{channel}/freeze", new { freeze = true });
        await AllHear("group:channel_freeze", "channel");
        await CallAsync(alice.Sdk.Http, HttpMethod.Put, $"{sdk}/{channel}/freeze", new { freeze = false });
        await AllHear("group:channel_unfreeze", "channel");

        // Receipts: the channel object carries the receipts and unread counts.
        await CallAsync(carol.Sdk.Http, HttpMethod.Put, $"{sdk}/{channel}/messages/read");
        foreach (var m in members)
        {
            var read = Expect(await m.Mqtt.NextAsync(), AllTopic(channel), "group:channel_message_read_event", "channel");
            Assert.True(read.GetProperty("channel").TryGetProperty("read_receipt", out _));
            Assert.True(read.GetProperty("channel").TryGetProperty("unread", out _));
        }
        await CallAsync(carol.Sdk.Http, HttpMethod.Put, $"{sdk}/{channel}/messages/delivered");
        foreach (var m in members)
        {
            var delivered = Expect(await m.Mqtt.NextAsync(), AllTopic(channel), "group:channel_message_delivered_event", "channel");
            Assert.True(delivered.GetProperty("channel").TryGetProperty("delivery_receipt", out _));
            Assert.True(delivered.GetProperty("channel").TryGetProperty("unread", out _));
        }
        await CallAsync(carol.Sdk.Http, HttpMethod.Put, "/v1/sdk/users/messages/read", new { channels = new[] { channel } });
        await AllHear("group:channel_message_read_event", "channel");

        // Manager added: the channel hears it; the new manager subscribes to the manager topic itself.
        await CallAsync(alice.Sdk.Http, HttpMethod.Post, $"{sdk}/{channel}/managers", new { manager = bob.Id });
        await AllHear("group:channel_manager_create", "channel", "user");
        await bob.Mqtt.SubscribeOkAsync(Topics.ChannelManager(App, channel));

        // Reports go to the managers' topic only.
        var toReport = await CallAsync(carol.Sdk.Http, HttpMethod.Post, $"{sdk}/{channel}/messages", new { type = "text", content = "spam" });
        await AllHear("group:message_send", "channel", "message");
        await CallAsync(carol.Sdk.Http, HttpMethod.Post, "/v1/sdk/reports",
            new { report_type = "message", report_category = "spam", channel_type = "group", channel_id = channel, message_id = toReport.GetProperty("message_id").GetInt64() });
        foreach (var m in new[] { alice, bob })
        {
            var report = Expect(await m.Mqtt.NextAsync(), ManagerTopic(channel), "group:report_create", "channel", "data");
            Assert.Equal("message", report.GetProperty("data").GetProperty("report_type").GetString());
        }
        await carol.Mqtt.ExpectNothingMoreAsync(server);

        // Manager removed: heard by all, then bob's manager topic is cut although he does not unsubscribe.
        await CallAsync(alice.Sdk.Http, HttpMethod.Delete, $"{sdk}/{channel}/managers", new { manager = bob.Id });
        await AllHear("group:channel_manager_delete", "channel", "user");
        await CallAsync(carol.Sdk.Http, HttpMethod.Post, "/v1/sdk/reports",
            new { report_type = "channel", channel_type = "group", channel_id = channel });
        Expect(await alice.Mqtt.NextAsync(), ManagerTopic(channel), "group:report_create", "channel", "data");
        await bob.Mqtt.ExpectNothingMoreAsync(server);

        // Ban: carol hears why, then hears the channel no more.
        var ban = await CallAsync(alice.Sdk.Http, HttpMethod.Post, $"{sdk}/{channel}/ban", new { user_id = carol.Id, seconds = 60, reason = "spam" });
        foreach (var m in members)
        {
            var banned = Expect(await m.Mqtt.NextAsync(), AllTopic(channel), "group:channel_ban", "channel", "user", "data");
            Assert.Equal(carol.Id, banned.GetProperty("user").GetProperty("user_id").GetString());
            Assert.Equal(ban.GetProperty("end_at").GetInt64(), banned.GetProperty("data").GetProperty("end_at").GetInt64());
        }
        members = [alice, bob];
        await CallAsync(bob.Sdk.Http, HttpMethod.Post, $"{sdk}/{channel}/messages", new { type = "text", content = "after the ban" });
        await AllHear("group:message_send", "channel", "message");
        await carol.Mqtt.ExpectNothingMoreAsync(server);
        Assert.Equal(MQTTnet.MqttClientSubscribeResultCode.UnspecifiedError, await carol.Mqtt.SubscribeAsync(Topics.ChannelAll(App, channel)));

        await CallAsync(alice.Sdk.Http, HttpMethod.Delete, $"{sdk}/{channel}/ban/{carol.Id}");
        await AllHear("group:channel_unban", "channel", "user");
        await carol.Mqtt.ExpectNothingMoreAsync(server);

        // Online members: who has a live MQTT connection.
        var online = await CallAsync(alice.Sdk.Http, HttpMethod.Get, $"{sdk}/{channel}/online_members");
        Assert.Equal(new[] { alice.Id, bob.Id }.Order(), online.EnumerateArray().Select(e => e.GetString()!).Order());

        // Leave: bob hears his own leave, then nothing of the channel.
        await CallAsync(bob.Sdk.Http, HttpMethod.Put, $"{sdk}/{channel}/leave");
        await AllHear("group:channel_leave", "channel", "user");
        members = [alice];
        await CallAsync(alice.Sdk.Http, HttpMethod.Post, $"{sdk}/{channel}/messages", new { type = "text", content = "alone" });
        await AllHear("group:message_send", "channel", "message");
        await bob.Mqtt.ExpectNothingMoreAsync(server);

        // Profile change: the user's own topic only.
        await CallAsync(alice.Sdk.Http, HttpMethod.Put, "/v1/sdk/users", new { name = "Alice A." });
        Assert.Equal("Alice A.", Expect(await alice.Mqtt.NextAsync(), UserTopic(alice.Id), "user_update", "user").GetProperty("user").GetProperty("name").GetString());

        // Delete: the last member hears it, then the channel is gone for her too.
        await CallAsync(alice.Sdk.Http, HttpMethod.Delete, $"{sdk}/{channel}");
        await AllHear("group:channel_delete", "channel");
        foreach (var m in everyone) await m.Mqtt.ExpectNothingMoreAsync(server);
        Assert.Equal(0, server.Service<GitpleLive.Server.Realtime.SubscriptionRegistry>().CountSubscribers(
            GitpleLive.Server.Realtime.RealtimeTopics.ChannelKey(App, "group", channel, manager: false)));
    }

    [Fact]
    public async Task Platform_member_changes_and_user_delete()
    {
        await using var erin = await MemberAsync("erin");
        await using var frank = await MemberAsync("frank");
        var channel = RealtimeServer.NewId("ops");
        var platform = server.Host.Platform;

        await CallAsync(platform, HttpMethod.Post, "/v1/group/channels", new { channel_id = channel, name = "Ops", members = new[] { erin.Id } });
        Expect(await erin.Mqtt.NextAsync(), UserTopic(erin.Id), "user_joined_channel", "user", "channel");
        await erin.Mqtt.SubscribeOkAsync(Topics.ChannelAll(App, channel));

        await CallAsync(platform, HttpMethod.Post, $"/v1/group/channels/{channel}/members", new { members = new[] { frank.Id } });
        Expect(await erin.Mqtt.NextAsync(), AllTopic(channel), "group:channel_join", "channel", "user");
        Expect(await frank.Mqtt.NextAsync(), UserTopic(frank.Id), "user_joined_channel", "user", "channel");
        await frank.Mqtt.SubscribeOkAsync(Topics.ChannelAll(App, channel));

        // Removed by the platform: frank hears it, then not the channel.
        await CallAsync(platform, HttpMethod.Delete, $"/v1/group/channels/{channel}/members", new { members = new[] { frank.Id } });
        Expect(await erin.Mqtt.NextAsync(), AllTopic(channel), "group:channel_leave", "channel", "user");
        Expect(await frank.Mqtt.NextAsync(), AllTopic(channel), "group:channel_leave", "channel", "user");
        await CallAsync(platform, HttpMethod.Post, $"/v1/group/channels/{channel}/messages", new { user_id = erin.Id, type = "text", content = "hi" });
        Expect(await erin.Mqtt.NextAsync(), AllTopic(channel), "group:message_send", "channel", "message");
        await frank.Mqtt.ExpectNothingMoreAsync(server);

        // Deleted user: hears user_delete, then the server closes the connection and it is offline.
        await CallAsync(platform, HttpMethod.Delete, $"/v1/users/{erin.Id}");
        Expect(await erin.Mqtt.NextAsync(), UserTopic(erin.Id), "user_delete", "user");
        await erin.Mqtt.Disconnected.WaitAsync(TestClient.Timeout);
        await frank.Mqtt.ExpectNothingMoreAsync(server);
        await RealtimeServer.EventuallyAsync(async () => (await server.Service<GitpleLive.Server.Events.IPresence>().OnlineAsync(App, [erin.Id])).Count == 0,
            "the deleted user to go offline");
    }
}
