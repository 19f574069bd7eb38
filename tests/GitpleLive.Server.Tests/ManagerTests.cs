using GitpleLive.Server.Events;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>PROTOCOL §5.2: managers, freeze and channel meta.</summary>
public class ManagerTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    private async Task<(SdkUser Alice, SdkUser Bob, SdkUser Carol, string Channel)> Setup()
    {
        var u = await Server.NewUsersAsync("alice", "bob", "carol");
        return (u[0], u[1], u[2], await u[0].NewChannelAsync(u[1]));
    }

    [Fact]
    public async Task Manager_list_is_for_managers()
    {
        var (alice, bob, carol, id) = await Setup();
        Assert.Equal([alice.UserId], (await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/managers")).Ids("user_id"));
        await bob.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}/managers", null, 403, 3001);
        await carol.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}/managers", null, 403, 3001);
        await alice.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{Api.NewId("none")}/managers", null, 404, 1003);
    }

    [Fact]
    public async Task Add_manager_raises_manager_create()
    {
        var (alice, bob, _, id) = await Setup();
        var mark = Server.Mark();
        await alice.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/managers", new { manager = bob.UserId });
        var json = Server.Events.Since(mark).Single("group:channel_manager_create")
            .AssertEvent("group:channel_manager_create", EventTopicKind.ChannelAll, id, "channel", "user");
        Assert.Equal(bob.UserId, json["user"].Str("user_id"));
        Assert.Single(Server.Events.Since(mark));
        Assert.Equal([alice.UserId, bob.UserId], (await bob.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/managers")).Ids("user_id"));
        // Adding again changes nothing and raises nothing.
        mark = Server.Mark();
        await bob.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/managers", new { manager = bob.UserId });
        Assert.Empty(Server.Events.Since(mark));
    }

    [Fact]
    public async Task Add_manager_refusals()
    {
        var (alice, bob, carol, id) = await Setup();
        var path = $"/v1/sdk/group/channels/{id}/managers";
        var mark = Server.Mark();
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, path, new { manager = bob.UserId }, 403, 3001);
        await carol.Http.ExpectErrorAsync(HttpMethod.Post, path, new { manager = carol.UserId }, 403, 3001);
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, path, new { manager = carol.UserId }, 403, 1008);
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, path, new { manager = Api.NewId("ghost") }, 404, 1004);
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{Api.NewId("none")}/managers", new { manager = bob.UserId }, 404, 1003);
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { }, "manager");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { manager = 7 }, "manager");
        Assert.Empty(Server.Events.Since(mark));
        Assert.Equal([alice.UserId], (await alice.Http.GetJsonAsync(path)).Ids("user_id"));
    }

    [Fact]
    public async Task Remove_manager_raises_manager_delete_and_cuts_the_manager_topic()
    {
        var (alice, bob, _, id) = await Setup();
        await alice.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/managers", new { manager = bob.UserId });
        var mark = Server.Mark();
        await bob.Http.DeleteJsonAsync($"/v1/sdk/group/channels/{id}/managers", new { manager = alice.UserId });
        var e = Server.Events.Since(mark).Single("group:channel_manager_delete");
        var json = e.AssertEvent("group:channel_manager_delete", EventTopicKind.ChannelAll, id, "channel", "user");
        Assert.Equal(alice.UserId, json["user"].Str("user_id"));
        Assert.Equal([Api.Cut(alice.UserId, id, managerOnly: true)], e.CutsAfter);
        Assert.Equal([bob.UserId], (await bob.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/managers")).Ids("user_id"));
        // Alice is still a member, no longer a manager.
        await alice.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}/managers", null, 403, 3001);
        await alice.SendTextAsync(id, "still here");
    }

    [Fact]
    public async Task Remove_manager_refusals()
    {
        var (alice, bob, carol, id) = await Setup();
        var path = $"/v1/sdk/group/channels/{id}/managers";
        var mark = Server.Mark();
        await alice.Http.ExpectErrorAsync(HttpMethod.Delete, path, new { manager = bob.UserId }, 400, 1016);
        await alice.Http.ExpectErrorAsync(HttpMethod.Delete, path, new { manager = carol.UserId }, 400, 1016);
        await bob.Http.ExpectErrorAsync(HttpMethod.Delete, path, new { manager = alice.UserId }, 403, 3001);
        await carol.Http.ExpectErrorAsync(HttpMethod.Delete, path, new { manager = alice.UserId }, 403, 3001);
        await alice.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{Api.NewId("none")}/managers", new { manager = alice.UserId }, 404, 1003);
        await alice.Http.ExpectInvalidAsync(HttpMethod.Delete, path, new { }, "manager");
        Assert.Empty(Server.Events.Since(mark));
    }

    [Fact]
    public async Task Freeze_stops_members_but_not_managers_and_raises_freeze_events()
    {
        var (alice, bob, carol, id) = await Setup();
        var mark = Server.Mark();
        var frozen = await alice.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/freeze", new { freeze = true });
        Assert.True(frozen!["freeze"]!.GetValue<bool>());
        var json = Server.Events.Since(mark).Single("group:channel_freeze").AssertEvent("group:channel_freeze", EventTopicKind.ChannelAll, id, "channel");
        Assert.True(json["channel"]!["freeze"]!.GetValue<bool>());

        await bob.Http.ExpectErrorAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{id}/messages", new { type = "text", content = "let me" }, 403, 1009);
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{id}/messages", Api.FileForm([1, 2], "a.bin"), 403, 1009);
        await alice.SendTextAsync(id, "managers may");
        Assert.Equal(1, (await alice.ChannelAsync(id)).Long("total_message_count"));

        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/freeze", new { freeze = false }, 403, 3001);
        await carol.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/freeze", new { freeze = false }, 403, 3001);
        await alice.Http.ExpectInvalidAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/freeze", new { }, "freeze");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/freeze", new { freeze = "yes" }, "freeze");
        await alice.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{Api.NewId("none")}/freeze", new { freeze = true }, 404, 1003);

        mark = Server.Mark();
        var thawed = await alice.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/freeze", new { freeze = false });
        Assert.False(thawed!["freeze"]!.GetValue<bool>());
        Server.Events.Since(mark).Single("group:channel_unfreeze").AssertEvent("group:channel_unfreeze", EventTopicKind.ChannelAll, id, "channel");
        await bob.SendTextAsync(id, "thanks");
    }

    [Fact]
    public async Task Channel_meta_is_for_members_merges_and_raises_channel_update()
    {
        var (alice, bob, carol, id) = await Setup();
        var path = $"/v1/sdk/group/channels/{id}/meta";
        var mark = Server.Mark();
        var c1 = await bob.Http.PutJsonAsync(path, new { meta = new { a = "1", b = "2" } });
        Assert.Equal("2", c1!["meta"].Str("b"));
        var c2 = await alice.Http.PutJsonAsync(path, new { meta = new { b = "3" } });
        Assert.Equal(["a", "b"], c2!["meta"]!.AsObject().Select(p => p.Key).Order());
        Assert.Equal("3", c2["meta"].Str("b"));
        var c3 = await bob.Http.DeleteJsonAsync(path, new { keys = new[] { "a" } });
        Assert.Equal(["b"], c3!["meta"]!.AsObject().Select(p => p.Key));
        var events = Server.Events.Since(mark);
        Assert.Equal(3, events.Count);
        foreach (var e in events) e.AssertEvent("group:channel_update", EventTopicKind.ChannelAll, id, "channel");
        Assert.Equal("3", JsonNodeOf(events[^1])["channel"]!["meta"].Str("b"));

        mark = Server.Mark();
        await carol.Http.ExpectErrorAsync(HttpMethod.Put, path, new { meta = new { x = "1" } }, 403, 1008);
        await carol.Http.ExpectErrorAsync(HttpMethod.Delete, path, new { keys = new[] { "b" } }, 403, 1008);
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{Api.NewId("none")}/meta", new { meta = new { x = "1" } }, 404, 1003);
        await bob.Http.ExpectInvalidAsync(HttpMethod.Put, path, new { meta = new { x = 1 } }, "meta.x");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Delete, path, new { }, "keys");
        var many = Enumerable.Range(0, 20).ToDictionary(i => $"k{i}", _ => "v");
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, path, new { meta = many }, 400, 1014);
        Assert.Empty(Server.Events.Since(mark));
        Assert.Equal(["b"], (await carol.ChannelAsync(id))["meta"]!.AsObject().Select(p => p.Key));
    }

    private static System.Text.Json.Nodes.JsonNode JsonNodeOf(ChatEvent e) => System.Text.Json.Nodes.JsonNode.Parse(e.PayloadBytes)!;
}
