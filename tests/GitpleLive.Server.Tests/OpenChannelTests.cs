using System.Text.Json.Nodes;
using GitpleLive.Server.Events;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>PROTOCOL §10: open channels over REST — lifecycle, enter/exit, participants, messages, freeze, bans, managers.</summary>
public class OpenChannelTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    private static string Path(string id, string rest = "") => $"/v1/sdk/open/channels/{id}{rest}";

    private async Task<string> NewOpenChannelAsync(SdkUser owner)
    {
        var id = Api.NewId("open");
        var c = await owner.Http.PostJsonAsync("/v1/sdk/open/channels", new { channel_id = id, name = "Live " + id, meta = new { show = "1" } });
        Assert.Equal("open", c.Str("type"));
        Assert.Equal(0, c.Long("participant_count"));
        return id;
    }

    /// <summary>Connects the user (a participant must be connected) and enters the channel.</summary>
    private async Task<OpenMqtt> EnterAsync(SdkUser user, string channelId)
    {
        var mqtt = await OpenMqtt.ConnectAsync(Server, user);
        await user.Http.PutJsonAsync(Path(channelId, "/enter"));
        return mqtt;
    }

    private static void AssertOpenEvent(ChatEvent e, string category, string channelId, params string[] fields)
    {
        e.AssertEvent(category, EventTopicKind.ChannelAll, channelId, fields);
        Assert.Equal("open", e.ChannelType);
        Assert.EndsWith($"/channel/open/{channelId}/all/{category}", e.Topic);
    }

    [Fact]
    public async Task The_official_js_sdks_doubled_prefix_reaches_an_open_channel_with_the_same_rules()
    {
        var (alice, bob) = (await Server.NewUsersAsync("jo", "jp")) is var u ? (u[0], u[1]) : default;
        var id = await NewOpenChannelAsync(alice);
        var got = await bob.Http.GetJsonAsync($"/v1/v1/sdk/open/channels/{id}");
        Assert.Equal(id, got.Str("channel_id"));
        Assert.Equal("open", got.Str("type"));
        using var anonymous = new HttpClient { BaseAddress = bob.Http.BaseAddress };
        var refused = await anonymous.GetAsync($"/v1/v1/sdk/open/channels/{id}");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Lifecycle_and_group_and_open_lists_stay_apart()
    {
        var (alice, bob) = (await Server.NewUsersAsync("oa", "ob")) is var u ? (u[0], u[1]) : default;
        var id = await NewOpenChannelAsync(alice);
        var group = await alice.NewChannelAsync(bob);

        var got = await bob.Http.GetJsonAsync(Path(id));
        Assert.Equal("open", got.Str("type"));
        Assert.Equal("1", got!["meta"].Str("show"));
        var list = (await bob.Http.GetJsonAsync("/v1/sdk/open/channels?limit=100"))!["channels"].Ids("channel_id");
        Assert.Contains(id, list);
        Assert.DoesNotContain(group, list);
        var groups = (await alice.Http.GetJsonAsync("/v1/sdk/group/channels?limit=100"))!["channels"].Ids("channel_id");
        Assert.Contains(group, groups);
        Assert.DoesNotContain(id, groups);
        Assert.DoesNotContain(id, (await Server.Platform.GetJsonAsync("/v1/group/channels?limit=100"))!["channels"].Ids("channel_id"));
        Assert.DoesNotContain(id, (await alice.Http.GetJsonAsync("/v1/sdk/group/channels/joined/list/all")).Ids("channel_id"));
        var named = (await bob.Http.GetJsonAsync($"/v1/sdk/open/channels?name={id.ToUpperInvariant()}"))!["channels"].Ids("channel_id");
        Assert.Equal([id], named);

        // The group routes never reach an open channel, nor the open routes a group channel.
        await bob.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}", null, 404, 1003);
        await Server.Platform.ExpectErrorAsync(HttpMethod.Post, $"/v1/group/channels/{id}/messages", new { user_id = bob.UserId, type = "text", content = "x" }, 404, 1003);
        await Server.Platform.ExpectErrorAsync(HttpMethod.Post, $"/v1/group/channels/{id}/members", new { members = new[] { bob.UserId } }, 404, 1003);
        await Server.Platform.ExpectErrorAsync(HttpMethod.Delete, $"/v1/group/channels/{id}", null, 404, 1003);
        await bob.Http.ExpectErrorAsync(HttpMethod.Get, Path(group), null, 404, 1003);
        await alice.Http.ExpectErrorAsync(HttpMethod.Put, Path(group, "/enter"), null, 404, 1003);
        // One id space: neither kind may take the other's id.
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/open/channels", new { channel_id = group, name = "n" }, 400, 1007);
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/open/channels", new { channel_id = id, name = "n" }, 400, 1007);
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/group/channels", new { channel_id = id, name = "n" }, 400, 1007);

        // Update: manager only, one event with the channel.
        var mark = Server.Mark();
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, Path(id), new { name = "mine" }, 403, 3001);
        var updated = await alice.Http.PutJsonAsync(Path(id), new { name = "Renamed" });
        Assert.Equal("Renamed", updated.Str("name"));
        var e = Assert.Single(Server.Events.Since(mark));
        AssertOpenEvent(e, "open:channel_update", id, "channel");
        Assert.Equal("Renamed", JsonNode.Parse(e.PayloadBytes)!["channel"].Str("name"));

        // Delete: manager only; the event cuts every subscriber; the channel is gone.
        mark = Server.Mark();
        await bob.Http.ExpectErrorAsync(HttpMethod.Delete, Path(id), null, 403, 3001);
        await alice.Http.DeleteJsonAsync(Path(id));
        e = Assert.Single(Server.Events.Since(mark));
        AssertOpenEvent(e, "open:channel_delete", id, "channel");
        Assert.Equal([new SubscriptionCut(SubscriptionCut.Everyone, "open", id, false)], e.CutsAfter);
        await bob.Http.ExpectErrorAsync(HttpMethod.Get, Path(id), null, 404, 1003);
        await alice.Http.ExpectErrorAsync(HttpMethod.Delete, Path(id), null, 404, 1003);
    }

    [Fact]
    public async Task Bad_input_is_refused_naming_the_field()
    {
        var alice = (await Server.NewUsersAsync("oi"))[0];
        var id = await NewOpenChannelAsync(alice);
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, "/v1/sdk/open/channels", new { channel_id = "a/b", name = "n" }, "channel_id");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, "/v1/sdk/open/channels", new { channel_id = Api.NewId("x") }, "name");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, "/v1/sdk/open/channels", new { channel_id = Api.NewId("x"), name = "n", meta = new { k = 1 } }, "meta");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, "/v1/sdk/open/channels?limit=0", null, "limit");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, "/v1/sdk/open/channels?next=%%%", null, "next");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Put, Path(id, "/freeze"), new { }, "freeze");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, Path(id, "/managers"), new { }, "manager");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, Path(id, "/ban"), new { seconds = 5 }, "user_id");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, Path(id, "/participants?limit=500"), null, "limit");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, Path(id, "/participants?next=bad"), null, "next");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Delete, Path(id, "/messages/abc"), null, "message_id");
        await using var mqtt = await EnterAsync(alice, id);
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, Path(id, "/messages"), new { type = "text" }, "content");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, Path(id, "/messages"), new { type = "file", content = "x" }, "type");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, Path(id, "/messages"), Api.FileForm([1], "a.bin"), "type");
        await Server.Platform.ExpectInvalidAsync(HttpMethod.Put, $"/v1/open/channels/{id}/enter", new { }, "user_id");
        await Server.Platform.ExpectInvalidAsync(HttpMethod.Put, "/v1/app", new { max_participants_per_open_channel = 0 }, "max_participants_per_open_channel");
        await alice.Http.ExpectErrorAsync(HttpMethod.Get, Path(Api.NewId("none")), null, 404, 1003);
    }

    [Fact]
    public async Task Enter_needs_a_connection_and_participants_are_who_entered()
    {
        var (alice, bob, carol) = (await Server.NewUsersAsync("ea", "eb", "ec")) is var u ? (u[0], u[1], u[2]) : default;
        var id = await NewOpenChannelAsync(alice);
        // Not connected: not a participant.
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, Path(id, "/enter"), null, 403, 1008);
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, Path(Api.NewId("none"), "/enter"), null, 404, 1003);

        var mark = Server.Mark();
        await using var bobMqtt = await OpenMqtt.ConnectAsync(Server, bob);
        var entered = await bob.Http.PutJsonAsync(Path(id, "/enter"));
        Assert.Equal(1, entered.Long("participant_count"));
        // Entering again changes nothing; entering raises no event.
        Assert.Equal(1, (await bob.Http.PutJsonAsync(Path(id, "/enter"))).Long("participant_count"));
        await using var carolMqtt = await EnterAsync(carol, id);
        Assert.DoesNotContain(Server.Events.Since(mark), e => e.ChannelType == "open" || e.Category.StartsWith("open:"));

        Assert.Equal(2, (await alice.Http.GetJsonAsync(Path(id))).Long("participant_count"));
        var listed = (await alice.Http.GetJsonAsync("/v1/sdk/open/channels?limit=100"))!["channels"]!.AsArray()
            .Single(c => c.Str("channel_id") == id);
        Assert.Equal(2, listed.Long("participant_count"));
        // The manager sees participants without entering; so do participants; nobody else.
        var all = await alice.Http.GetJsonAsync(Path(id, "/participants"));
        Assert.Equal(new[] { bob.UserId, carol.UserId }.Order(StringComparer.Ordinal), all!["participants"].Ids("user_id"));
        Assert.False(all.Has("next"));
        var first = await bob.Http.GetJsonAsync(Path(id, "/participants?limit=1"));
        var second = await bob.Http.GetJsonAsync(Path(id, $"/participants?limit=1&next={first.Str("next")}"));
        Assert.Equal(all["participants"].Ids("user_id"), first!["participants"].Ids("user_id").Concat(second!["participants"].Ids("user_id")));
        Assert.False(second.Has("next"));
        var outsider = (await Server.NewUsersAsync("eo"))[0];
        await outsider.Http.ExpectErrorAsync(HttpMethod.Get, Path(id, "/participants"), null, 403, 1008);
        Assert.Equal(2, (await Server.Platform.GetJsonAsync($"/v1/open/channels/{id}/participants"))!["participants"]!.AsArray().Count);

        // Exit: the user hears open:channel_exit on their own topic, then loses the channel's topic.
        mark = Server.Mark();
        await bob.Http.PutJsonAsync(Path(id, "/exit"));
        var e = Assert.Single(Server.Events.Since(mark));
        var json = e.AssertEvent("open:channel_exit", EventTopicKind.User, bob.UserId, "channel", "user");
        Assert.Equal(id, json["channel"].Str("channel_id"));
        Assert.Equal([new SubscriptionCut(bob.UserId, "open", id, false)], e.CutsAfter);
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, Path(id, "/exit"), null, 403, 1008);
        Assert.Equal([carol.UserId], (await alice.Http.GetJsonAsync(Path(id, "/participants")))!["participants"].Ids("user_id"));
    }

    [Fact]
    public async Task Closing_the_last_connection_leaves_the_channel()
    {
        var (alice, bob) = (await Server.NewUsersAsync("da", "db")) is var u ? (u[0], u[1]) : default;
        var id = await NewOpenChannelAsync(alice);
        var first = await EnterAsync(bob, id);
        var second = await OpenMqtt.ConnectAsync(Server, bob);
        await first.DisposeAsync();
        // Another connection is still up: still in.
        await Task.Delay(200);
        Assert.Equal([bob.UserId], (await alice.Http.GetJsonAsync(Path(id, "/participants")))!["participants"].Ids("user_id"));
        await second.DisposeAsync();
        await EventuallyAsync(async () => (await alice.Http.GetJsonAsync(Path(id))).Long("participant_count") == 0);
        Assert.Empty((await alice.Http.GetJsonAsync(Path(id, "/participants")))!["participants"]!.AsArray());
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, Path(id, "/messages"), new { type = "text", content = "gone" }, 403, 1008);
    }

    internal static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition()) return;
            await Task.Delay(100);
        }
        Assert.Fail("condition not met within 10 s");
    }

    [Fact]
    public async Task Messages_need_participation_and_follow_freeze_and_profanity_rules()
    {
        await using var server = await TestServer.StartAsync();
        var (alice, bob, carol) = (await server.NewUsersAsync("ma", "mb", "mc")) is var u ? (u[0], u[1], u[2]) : default;
        var id = Api.NewId("open");
        await alice.Http.PostJsonAsync("/v1/sdk/open/channels", new { channel_id = id, name = "n" });
        var path = Path(id, "/messages");
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, path, new { type = "text", content = "hi" }, 403, 1008);
        await bob.Http.ExpectErrorAsync(HttpMethod.Get, path, null, 403, 1008);
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, Path(Api.NewId("none"), "/messages"), new { type = "text", content = "hi" }, 404, 1003);

        await using var bobMqtt = await OpenMqtt.ConnectAsync(server, bob);
        await bob.Http.PutJsonAsync(Path(id, "/enter"));
        await using var aliceMqtt = await OpenMqtt.ConnectAsync(server, alice);
        await alice.Http.PutJsonAsync(Path(id, "/enter"));

        var mark = server.Mark();
        var sent = await bob.Http.PostJsonAsync(path, new { type = "text", content = "hello open", meta = new { k = "v" } });
        Assert.Equal("hello open", sent.Str("content"));
        Assert.Equal(id, sent.Str("channel_id"));
        Assert.Equal(bob.UserId, sent!["user"].Str("user_id"));
        var e = Assert.Single(server.Events.Since(mark));
        AssertOpenEvent(e, "open:message_send", id, "channel", "message");
        Assert.Equal(sent.Long("message_id"), JsonNode.Parse(e.PayloadBytes)!["message"].Long("message_id"));
        Assert.Equal(1, (await alice.Http.GetJsonAsync(Path(id))).Long("total_message_count"));

        var second = await alice.Http.PostJsonAsync(path, new { type = "text", content = "second" });
        var history = (await bob.Http.GetJsonAsync(path))!["messages"]!.AsArray();
        Assert.Equal([sent.Long("message_id"), second.Long("message_id")], history.Select(m => m.Long("message_id")));
        var next = (await bob.Http.GetJsonAsync($"{path}?mode=next&base_message_id={sent.Long("message_id")}"))!["messages"]!.AsArray();
        Assert.Equal([second.Long("message_id")], next.Select(m => m.Long("message_id")));

        // Meta: participants; open:message_update.
        mark = server.Mark();
        var meta = await bob.Http.PutJsonAsync(Path(id, $"/messages/{second.Long("message_id")}/meta"), new { meta = new { seen = "y" } });
        Assert.Equal("y", meta!["meta"].Str("seen"));
        AssertOpenEvent(Assert.Single(server.Events.Since(mark)), "open:message_update", id, "channel", "message");
        await alice.Http.DeleteJsonAsync(Path(id, $"/messages/{second.Long("message_id")}/meta"), new { keys = new[] { "seen" } });

        // Delete: the sender or a manager; others 3001; a missing message 1005.
        await bob.Http.ExpectErrorAsync(HttpMethod.Delete, Path(id, $"/messages/{second.Long("message_id")}"), null, 403, 3001);
        await bob.Http.ExpectErrorAsync(HttpMethod.Delete, Path(id, "/messages/999999999"), null, 404, 1005);
        mark = server.Mark();
        await alice.Http.DeleteJsonAsync(Path(id, $"/messages/{sent.Long("message_id")}"));
        AssertOpenEvent(Assert.Single(server.Events.Since(mark)), "open:message_delete", id, "channel", "message");
        await alice.Http.DeleteJsonAsync(Path(id, $"/messages/{second.Long("message_id")}"));
        Assert.Equal(0, (await alice.Http.GetJsonAsync(Path(id))).Long("total_message_count"));

        // Freeze: manager only; then only managers (and the Platform API) send.
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, Path(id, "/freeze"), new { freeze = true }, 403, 3001);
        mark = server.Mark();
        Assert.True((await alice.Http.PutJsonAsync(Path(id, "/freeze"), new { freeze = true }))!["freeze"]!.GetValue<bool>());
        AssertOpenEvent(Assert.Single(server.Events.Since(mark)), "open:channel_freeze", id, "channel");
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, path, new { type = "text", content = "frozen?" }, 403, 1009);
        await alice.Http.PostJsonAsync(path, new { type = "text", content = "managers may" });
        await server.Platform.PostJsonAsync($"/v1/open/channels/{id}/messages", new { user_id = carol.UserId, type = "text", content = "backend may" });
        mark = server.Mark();
        await alice.Http.PutJsonAsync(Path(id, "/freeze"), new { freeze = false });
        AssertOpenEvent(Assert.Single(server.Events.Since(mark)), "open:channel_unfreeze", id, "channel");

        // Profanity: users' words are filtered, the backend's are not.
        await server.Platform.PutJsonAsync("/v1/app", new { profanity_mode = "block", profanity_words = new[] { "darn" } });
        mark = server.Mark();
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, path, new { type = "text", content = "darn it" }, 400, 1020);
        Assert.Empty(server.Events.Since(mark));
        await server.Platform.PutJsonAsync("/v1/app", new { profanity_mode = "mask" });
        var masked = await bob.Http.PostJsonAsync(path, new { type = "text", content = "darn it" });
        Assert.Equal("**** it", masked.Str("content"));
        Assert.Equal("darn it", masked!["filter"].Str("origin_content"));
    }

    [Fact]
    public async Task Bans_remove_the_participant_and_keep_them_out()
    {
        var (alice, bob, carol) = (await Server.NewUsersAsync("ba", "bb", "bc")) is var u ? (u[0], u[1], u[2]) : default;
        var id = await NewOpenChannelAsync(alice);
        await using var bobMqtt = await EnterAsync(bob, id);
        var path = Path(id, "/ban");

        await bob.Http.ExpectErrorAsync(HttpMethod.Post, path, new { user_id = carol.UserId, seconds = 60 }, 403, 3001);
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, path, new { user_id = alice.UserId, seconds = 60 }, 400, 1018);
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, path, new { user_id = Api.NewId("ghost"), seconds = 60 }, 404, 1004);
        await alice.Http.PostJsonAsync(Path(id, "/managers"), new { manager = carol.UserId });
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, path, new { user_id = carol.UserId, seconds = 60 }, 403, 1017);

        var mark = Server.Mark();
        var ban = await alice.Http.PostJsonAsync(path, new { user_id = bob.UserId, seconds = 600, reason = "spam" });
        Assert.Equal(ban.Long("start_at") + 600_000, ban.Long("end_at"));
        var e = Assert.Single(Server.Events.Since(mark));
        AssertOpenEvent(e, "open:channel_ban", id, "channel", "user", "data");
        var json = JsonNode.Parse(e.PayloadBytes)!;
        Assert.Equal(bob.UserId, json["user"].Str("user_id"));
        Assert.Equal("spam", json["data"].Str("reason"));
        Assert.Equal([new SubscriptionCut(bob.UserId, "open", id, false)], e.CutsAfter);
        Assert.Empty((await alice.Http.GetJsonAsync(Path(id, "/participants")))!["participants"]!.AsArray());
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, Path(id, "/enter"), null, 403, 1019);
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, Path(id, "/messages"), new { type = "text", content = "x" }, 403, 1008);
        await Server.Platform.ExpectErrorAsync(HttpMethod.Put, $"/v1/open/channels/{id}/enter", new { user_id = bob.UserId }, 403, 1019);

        Assert.Equal([bob.UserId], (await alice.Http.GetJsonAsync(Path(id, "/banned_list")))!.AsArray().Select(b => b!["user"].Str("user_id")));
        await bob.Http.ExpectErrorAsync(HttpMethod.Get, Path(id, "/banned_list"), null, 403, 3001);
        await bob.Http.ExpectErrorAsync(HttpMethod.Delete, Path(id, $"/ban/{bob.UserId}"), null, 403, 3001);
        mark = Server.Mark();
        await alice.Http.DeleteJsonAsync(Path(id, $"/ban/{bob.UserId}"));
        AssertOpenEvent(Assert.Single(Server.Events.Since(mark)), "open:channel_unban", id, "channel", "user");
        await alice.Http.ExpectErrorAsync(HttpMethod.Delete, Path(id, $"/ban/{bob.UserId}"), null, 404, 1002);
        Assert.Equal(1, (await bob.Http.PutJsonAsync(Path(id, "/enter"))).Long("participant_count"));
    }

    [Fact]
    public async Task Managers_are_appointed_and_removed_by_managers()
    {
        var (alice, bob, carol) = (await Server.NewUsersAsync("na", "nb", "nc")) is var u ? (u[0], u[1], u[2]) : default;
        var id = await NewOpenChannelAsync(alice);
        var path = Path(id, "/managers");
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, path, new { manager = bob.UserId }, 403, 3001);
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, path, new { manager = Api.NewId("ghost") }, 404, 1004);
        await bob.Http.ExpectErrorAsync(HttpMethod.Get, path, null, 403, 3001);

        var mark = Server.Mark();
        await alice.Http.PostJsonAsync(path, new { manager = bob.UserId });
        var e = Assert.Single(Server.Events.Since(mark));
        AssertOpenEvent(e, "open:channel_manager_create", id, "channel", "user");
        Assert.Equal(bob.UserId, JsonNode.Parse(e.PayloadBytes)!["user"].Str("user_id"));
        mark = Server.Mark();
        await alice.Http.PostJsonAsync(path, new { manager = bob.UserId }); // already one: nothing happens
        Assert.Empty(Server.Events.Since(mark));
        Assert.Equal([alice.UserId, bob.UserId], (await bob.Http.GetJsonAsync(path)).Ids("user_id"));

        // The new manager may now manage: freeze, and remove another manager.
        await bob.Http.PutJsonAsync(Path(id, "/freeze"), new { freeze = true });
        await alice.Http.ExpectErrorAsync(HttpMethod.Delete, path, new { manager = carol.UserId }, 400, 1016);
        mark = Server.Mark();
        await bob.Http.DeleteJsonAsync(path, new { manager = alice.UserId });
        AssertOpenEvent(Assert.Single(Server.Events.Since(mark)), "open:channel_manager_delete", id, "channel", "user");
        await alice.Http.ExpectErrorAsync(HttpMethod.Put, Path(id), new { name = "x" }, 403, 3001);

        // The manager limit: 1011.
        await Server.Platform.PutJsonAsync("/v1/app", new { max_managers_per_channel = 1 });
        try
        {
            await bob.Http.ExpectErrorAsync(HttpMethod.Post, path, new { manager = carol.UserId }, 400, 1011);
        }
        finally
        {
            await Server.Platform.PutJsonAsync("/v1/app", new { max_managers_per_channel = 10 });
        }
    }

    [Fact]
    public async Task The_participant_limit_is_the_apps()
    {
        await using var server = await TestServer.StartAsync();
        var (alice, bob, carol) = (await server.NewUsersAsync("la", "lb", "lc")) is var u ? (u[0], u[1], u[2]) : default;
        Assert.Equal(20_000, (await server.Platform.GetJsonAsync("/v1/app")).Long("max_participants_per_open_channel"));
        Assert.Equal(2, (await server.Platform.PutJsonAsync("/v1/app", new { max_participants_per_open_channel = 2 })).Long("max_participants_per_open_channel"));
        var id = Api.NewId("open");
        await alice.Http.PostJsonAsync("/v1/sdk/open/channels", new { channel_id = id, name = "n" });
        await using var a = await OpenMqtt.ConnectAsync(server, alice);
        await using var b = await OpenMqtt.ConnectAsync(server, bob);
        await using var c = await OpenMqtt.ConnectAsync(server, carol);
        await alice.Http.PutJsonAsync(Path(id, "/enter"));
        await bob.Http.PutJsonAsync(Path(id, "/enter"));
        await carol.Http.ExpectErrorAsync(HttpMethod.Put, Path(id, "/enter"), null, 400, 1010);
        await bob.Http.PutJsonAsync(Path(id, "/exit"));
        Assert.Equal(2, (await carol.Http.PutJsonAsync(Path(id, "/enter"))).Long("participant_count"));
    }

    [Fact]
    public async Task The_platform_api_acts_as_any_user()
    {
        var (alice, bob) = (await Server.NewUsersAsync("pa", "pb")) is var u ? (u[0], u[1]) : default;
        var id = Api.NewId("open");
        var created = await Server.Platform.PostJsonAsync("/v1/open/channels", new { channel_id = id, name = "Backend", managers = new[] { alice.UserId } });
        Assert.Equal(0, created.Long("participant_count"));
        await Server.Platform.ExpectErrorAsync(HttpMethod.Post, "/v1/open/channels", new { channel_id = Api.NewId("x"), name = "n", managers = new[] { Api.NewId("ghost") } }, 404, 1004);
        Assert.Equal([alice.UserId], (await Server.Platform.GetJsonAsync($"/v1/open/channels/{id}/managers")).Ids("user_id"));
        await Server.Platform.ExpectErrorAsync(HttpMethod.Put, $"/v1/open/channels/{id}/enter", new { user_id = bob.UserId }, 403, 1008);

        await using var bobMqtt = await OpenMqtt.ConnectAsync(Server, bob);
        Assert.Equal(1, (await Server.Platform.PutJsonAsync($"/v1/open/channels/{id}/enter", new { user_id = bob.UserId })).Long("participant_count"));
        var sent = await Server.Platform.PostJsonAsync($"/v1/open/channels/{id}/messages", new { user_id = alice.UserId, type = "text", content = "from the backend" });
        Assert.Equal(alice.UserId, sent!["user"].Str("user_id"));
        await Server.Platform.ExpectInvalidAsync(HttpMethod.Post, $"/v1/open/channels/{id}/messages", new { type = "text", content = "x" }, "user_id");
        await Server.Platform.ExpectErrorAsync(HttpMethod.Post, $"/v1/open/channels/{id}/messages", new { user_id = Api.NewId("ghost"), type = "text", content = "x" }, 404, 1004);
        Assert.Single((await Server.Platform.GetJsonAsync($"/v1/open/channels/{id}/messages"))!["messages"]!.AsArray());
        await Server.Platform.PutJsonAsync($"/v1/open/channels/{id}", new { meta = new { tier = "gold" } });
        Assert.Equal("gold", (await bob.Http.GetJsonAsync(Path(id)))!["meta"].Str("tier"));
        await Server.Platform.PostJsonAsync($"/v1/open/channels/{id}/ban", new { user_id = alice.UserId, seconds = 10 }); // the backend may ban a manager
        await Server.Platform.PutJsonAsync($"/v1/open/channels/{id}/exit", new { user_id = bob.UserId });
        await Server.Platform.DeleteJsonAsync($"/v1/open/channels/{id}");
        await Server.Platform.ExpectErrorAsync(HttpMethod.Get, $"/v1/open/channels/{id}", null, 404, 1003);
    }
}
