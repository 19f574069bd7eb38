using System.Net.Http.Json;
using System.Text.Json;
using GitpleLive.TestHost;

namespace GitpleLive.Realtime.Tests;

/// <summary>
/// PROTOCOL §10 over MQTT: edits, reactions, replies, mentions and typing caused over REST reach the channel's
/// subscribers on the channel topic with exactly their fields, and nobody outside the channel (nor another app) hears them.
/// </summary>
public sealed class MessageExtensionEventTests(RealtimeServer server) : IClassFixture<RealtimeServer>
{
    private const string App = RealtimeServer.AppId;

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

    private static JsonElement Expect(Received got, string channel, string category, params string[] fields)
    {
        Assert.Equal($"{Topics.ChannelAll(App, channel)}/{category}".Replace("/#/", "/", StringComparison.Ordinal), got.Topic);
        var json = got.Json;
        Assert.Equal(fields.Append("category").Append("app_id").Order().ToArray(), json.EnumerateObject().Select(p => p.Name).Order().ToArray());
        Assert.Equal(category, json.GetProperty("category").GetString());
        return json;
    }

    [Fact]
    public async Task Edits_reactions_replies_mentions_and_typing_reach_the_channel_topic()
    {
        await using var alice = await MemberAsync("alice");
        await using var bob = await MemberAsync("bob");
        await using var eve = await MemberAsync("eve"); // never in the channel
        var channel = RealtimeServer.NewId("room");
        var sdk = $"/v1/sdk/group/channels/{channel}";
        await CallAsync(alice.Sdk.Http, HttpMethod.Post, "/v1/sdk/group/channels", new { channel_id = channel, name = "Room", members = new[] { bob.Id } });
        foreach (var m in new[] { alice, bob })
        {
            while ((await m.Mqtt.NextAsync()).Category != "user_joined_channel") { }
            await m.Mqtt.SubscribeOkAsync(Topics.ChannelAll(App, channel));
        }
        Assert.Equal("user_become_manager", (await alice.Mqtt.NextAsync()).Category);
        await alice.Mqtt.ExpectNothingMoreAsync(server);
        await bob.Mqtt.ExpectNothingMoreAsync(server);
        Assert.Equal(MQTTnet.MqttClientSubscribeResultCode.UnspecifiedError, await eve.Mqtt.SubscribeAsync(Topics.ChannelAll(App, channel)));
        var members = new[] { alice, bob };

        // A message mentioning bob, then bob's reply to it: the reply (message_send), then the parent (message_update).
        var parent = await CallAsync(alice.Sdk.Http, HttpMethod.Post, $"{sdk}/messages", new { content = "@bob?", mentioned_user_ids = new[] { bob.Id } });
        var parentId = parent.GetProperty("message_id").GetInt64();
        foreach (var m in members)
        {
            var sent = Expect(await m.Mqtt.NextAsync(), channel, "group:message_send", "channel", "message");
            Assert.Equal(bob.Id, sent.GetProperty("message").GetProperty("mentioned_user_ids")[0].GetString());
        }
        var reply = await CallAsync(bob.Sdk.Http, HttpMethod.Post, $"{sdk}/messages", new { content = "yes", parent_message_id = parentId });
        foreach (var m in members)
        {
            var sent = Expect(await m.Mqtt.NextAsync(), channel, "group:message_send", "channel", "message");
            Assert.Equal(parentId, sent.GetProperty("message").GetProperty("parent_message_id").GetInt64());
            var updated = Expect(await m.Mqtt.NextAsync(), channel, "group:message_update", "channel", "message");
            Assert.Equal(parentId, updated.GetProperty("message").GetProperty("message_id").GetInt64());
            Assert.Equal(1, updated.GetProperty("message").GetProperty("reply_count").GetInt32());
        }

        // An edit.
        await CallAsync(bob.Sdk.Http, HttpMethod.Put, $"{sdk}/messages/{reply.GetProperty("message_id").GetInt64()}", new { content = "yes!" });
        foreach (var m in members)
        {
            var edited = Expect(await m.Mqtt.NextAsync(), channel, "group:message_update", "channel", "message").GetProperty("message");
            Assert.Equal("yes!", edited.GetProperty("content").GetString());
            Assert.True(edited.TryGetProperty("edited_at", out _));
        }

        // A reaction, added and removed.
        await CallAsync(bob.Sdk.Http, HttpMethod.Post, $"{sdk}/messages/{parentId}/reactions", new { key = "❤️" });
        foreach (var m in members)
        {
            var r = Expect(await m.Mqtt.NextAsync(), channel, "group:message_update", "channel", "message").GetProperty("message").GetProperty("reactions")[0];
            Assert.Equal("❤️", r.GetProperty("key").GetString());
            Assert.Equal(1, r.GetProperty("count").GetInt32());
            Assert.Equal(bob.Id, r.GetProperty("user_ids")[0].GetString());
        }
        await CallAsync(bob.Sdk.Http, HttpMethod.Delete, $"{sdk}/messages/{parentId}/reactions", new { key = "❤️" });
        foreach (var m in members)
            Assert.False(Expect(await m.Mqtt.NextAsync(), channel, "group:message_update", "channel", "message").GetProperty("message").TryGetProperty("reactions", out _));

        // Typing: start, and (a second later) stop, with the channel and the typist.
        await CallAsync(alice.Sdk.Http, HttpMethod.Put, $"{sdk}/typing", new { typing = true });
        foreach (var m in members)
        {
            var t = Expect(await m.Mqtt.NextAsync(), channel, "group:typing_start", "channel", "user");
            Assert.Equal(alice.Id, t.GetProperty("user").GetProperty("user_id").GetString());
            Assert.Equal(channel, t.GetProperty("channel").GetProperty("channel_id").GetString());
        }
        await CallAsync(alice.Sdk.Http, HttpMethod.Put, $"{sdk}/typing", new { typing = false });
        foreach (var m in members)
            Assert.Equal(alice.Id, Expect(await m.Mqtt.NextAsync(), channel, "group:typing_stop", "channel", "user")
                .GetProperty("user").GetProperty("user_id").GetString());

        // Nobody outside the channel heard any of it; nothing more is on its way to the members.
        await eve.Mqtt.ExpectNothingMoreAsync(server);
        foreach (var m in members) await m.Mqtt.ExpectNothingMoreAsync(server);
    }
}
