using System.Text.Json.Nodes;
using GitpleLive.Server.Events;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>PROTOCOL §8: the app backend's API, raising the same events as the SDK twins.</summary>
public class PlatformApiTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;
    private HttpClient P => Server.Platform;

    private async Task<string> NewUserAsync(string prefix = "u")
    {
        var id = Api.NewId(prefix);
        await Server.CreateUserAsync(id);
        return id;
    }

    [Fact]
    public async Task App_settings_show_limits_and_never_secrets()
    {
        var app = await P.GetJsonAsync("/v1/app");
        Assert.Equal(Server.AppId, app.Str("app_id"));
        Assert.False(app!["allow_tokenless"]!.GetValue<bool>());
        Assert.Equal(100, app.Long("max_members_per_channel"));
        Assert.Equal(10, app.Long("max_managers_per_channel"));
        Assert.Equal(25L * 1024 * 1024, app.Long("max_file_size"));
        Assert.Equal(20, app.Long("max_meta_keys"));
        Assert.DoesNotContain(Server.ApiKey, app.ToJsonString());
        Assert.False(app.Has("api_key") || app.Has("token_secret"));

        await P.ExpectInvalidAsync(HttpMethod.Put, "/v1/app", new { max_members_per_channel = 1 }, "max_members_per_channel");
        await P.ExpectInvalidAsync(HttpMethod.Put, "/v1/app", new { max_managers_per_channel = 0 }, "max_managers_per_channel");
        await P.ExpectInvalidAsync(HttpMethod.Put, "/v1/app", new { max_file_size = "big" }, "max_file_size");
        await P.ExpectInvalidAsync(HttpMethod.Put, "/v1/app", new { max_meta_keys = 1001 }, "max_meta_keys");
        await P.ExpectInvalidAsync(HttpMethod.Put, "/v1/app", new { allow_tokenless = "yes" }, "allow_tokenless");
        Assert.Equal(app!.ToJsonString(), (await P.GetJsonAsync("/v1/app"))!.ToJsonString());
    }

    [Fact]
    public async Task User_create_get_update_and_refusals()
    {
        var id = Api.NewId("pu");
        var created = await P.PostJsonAsync("/v1/users", new { user_id = id, name = "Pat", profile_url = "https://e.com/p", meta = new { team = "x" } });
        Assert.Equal(id, created.Str("user_id"));
        Assert.Equal("Pat", created.Str("name"));
        Assert.Equal("https://e.com/p", created.Str("profile_url"));
        Assert.Equal("x", created!["meta"].Str("team"));
        Assert.Equal(created.ToJsonString(), (await P.GetJsonAsync($"/v1/users/{id}"))!.ToJsonString());

        var mark = Server.Mark();
        var updated = await P.PutJsonAsync($"/v1/users/{id}", new { name = "Pat 2", meta = new { role = "admin" } });
        Assert.Equal("Pat 2", updated.Str("name"));
        Assert.Equal(["role", "team"], updated!["meta"]!.AsObject().Select(p => p.Key).Order());
        var json = Server.Events.Since(mark).Single("user_update").AssertEvent("user_update", EventTopicKind.User, id, "user");
        Assert.Equal("Pat 2", json["user"].Str("name"));

        mark = Server.Mark();
        await P.ExpectErrorAsync(HttpMethod.Post, "/v1/users", new { user_id = id, name = "again" }, 400, 1007);
        await P.ExpectInvalidAsync(HttpMethod.Post, "/v1/users", new { user_id = Api.NewId("pu") }, "name");
        await P.ExpectInvalidAsync(HttpMethod.Post, "/v1/users", new { name = "no id" }, "user_id");
        await P.ExpectInvalidAsync(HttpMethod.Post, "/v1/users", new { user_id = "has space", name = "x" }, "user_id");
        await P.ExpectErrorAsync(HttpMethod.Get, $"/v1/users/{Api.NewId("ghost")}", null, 404, 1004);
        await P.ExpectErrorAsync(HttpMethod.Put, $"/v1/users/{Api.NewId("ghost")}", new { name = "x" }, 404, 1004);
        await P.ExpectErrorAsync(HttpMethod.Delete, $"/v1/users/{Api.NewId("ghost")}", null, 404, 1004);
        Assert.Empty(Server.Events.Since(mark));
    }

    [Fact]
    public async Task User_list_pages_and_filters_by_ids()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add(await NewUserAsync("lu"));
        var filtered = await P.GetJsonAsync($"/v1/users?user_ids={string.Join(",", ids)}&limit=2");
        var seen = filtered!["users"].Ids("user_id").ToList();
        var next = filtered["next"]?.GetValue<string>();
        var pages = 1;
        while (!string.IsNullOrEmpty(next))
        {
            var page = await P.GetJsonAsync($"/v1/users?user_ids={string.Join(",", ids)}&limit=2&next={Uri.EscapeDataString(next)}");
            seen.AddRange(page!["users"].Ids("user_id"));
            next = page["next"]?.GetValue<string>();
            pages++;
        }
        Assert.Equal(3, pages);
        Assert.Equal(ids.Order(), seen.Order());
        Assert.Equal(seen.Count, seen.Distinct().Count());
        await P.ExpectInvalidAsync(HttpMethod.Get, "/v1/users?limit=0", null, "limit");
        await P.ExpectInvalidAsync(HttpMethod.Get, "/v1/users?next=zzz", null, "next");
    }

    [Fact]
    public async Task User_delete_raises_user_delete_cuts_channels_and_removes_memberships()
    {
        using var alice = await Server.SdkUserAsync(Api.NewId("alice"));
        using var bob = await Server.SdkUserAsync(Api.NewId("bob"));
        var c1 = await alice.NewChannelAsync(bob);
        var c2 = await alice.NewChannelAsync(bob);
        var m = await bob.SendTextAsync(c1, "last words");
        var mark = Server.Mark();
        await P.DeleteJsonAsync($"/v1/users/{bob.UserId}");
        var e = Server.Events.Since(mark).Single("user_delete");
        e.AssertEvent("user_delete", EventTopicKind.User, bob.UserId, "user");
        Assert.Equal(new[] { Api.Cut(bob.UserId, c1), Api.Cut(bob.UserId, c2) }.OrderBy(c => c.ChannelId), e.CutsAfter.OrderBy(c => c.ChannelId));
        await P.ExpectErrorAsync(HttpMethod.Get, $"/v1/users/{bob.UserId}", null, 404, 1004);
        Assert.Equal([alice.UserId], (await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{c1}/members")).Ids("user_id"));
        // Their messages stay.
        var kept = (await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{c1}/messages"))!["messages"]!.AsArray().Single()!;
        Assert.Equal(m.Long("message_id"), kept.Long("message_id"));
        Assert.Equal(bob.UserId, kept["user"].Str("user_id"));
        // The id can be used again, for a new user without the old memberships.
        await Server.CreateUserAsync(bob.UserId);
        using var bob2 = await Server.SdkUserAsync(bob.UserId);
        Assert.Empty((await bob2.Http.GetJsonAsync("/v1/sdk/group/channels/joined/list/all"))!.AsArray());
    }

    [Fact]
    public async Task Channel_create_with_members_and_managers_raises_joined_and_manager_events()
    {
        var (a, b, c) = (await NewUserAsync(), await NewUserAsync(), await NewUserAsync());
        var id = Api.NewId("pc");
        var mark = Server.Mark();
        var channel = await P.PostJsonAsync("/v1/group/channels", new { channel_id = id, name = "Ops", members = new[] { a, b }, managers = new[] { c } });
        Assert.Equal(id, channel.Str("channel_id"));
        var events = Server.Events.Since(mark);
        Assert.Equal(new[] { a, b, c }.Order(), events.Where(e => e.Category == "user_joined_channel").Select(e => e.TargetId).Order());
        Assert.Equal([c], events.Where(e => e.Category == "user_become_manager").Select(e => e.TargetId));
        Assert.Equal(4, events.Count);
        foreach (var e in events) e.AssertEvent(e.Category, EventTopicKind.User, e.TargetId, "user", "channel");
        Assert.Equal(new[] { a, b, c }.Order(), (await P.GetJsonAsync($"/v1/group/channels/{id}/members")).Ids("user_id").Order());
        Assert.Equal([c], (await P.GetJsonAsync($"/v1/group/channels/{id}/managers")).Ids("user_id"));

        // An empty channel is fine too; duplicates and unknown users are refused.
        var empty = Api.NewId("pc");
        mark = Server.Mark();
        await P.PostJsonAsync("/v1/group/channels", new { channel_id = empty, name = "Empty" });
        Assert.Empty(Server.Events.Since(mark));
        Assert.Empty((await P.GetJsonAsync($"/v1/group/channels/{empty}/members"))!.AsArray());
        await P.ExpectErrorAsync(HttpMethod.Post, "/v1/group/channels", new { channel_id = id, name = "dup" }, 400, 1007);
        await P.ExpectErrorAsync(HttpMethod.Post, "/v1/group/channels", new { channel_id = Api.NewId("pc"), name = "x", managers = new[] { Api.NewId("ghost") } }, 404, 1004);
        Assert.Empty(Server.Events.Since(mark));
    }

    [Fact]
    public async Task Channel_get_list_update_delete()
    {
        var owner = await NewUserAsync();
        var tag = Api.NewId("pl");
        await P.PostJsonAsync("/v1/group/channels", new { channel_id = $"{tag}-1", name = tag, members = new[] { owner } });
        await P.PostJsonAsync("/v1/group/channels", new { channel_id = $"{tag}-2", name = tag });
        Assert.Equal([$"{tag}-1", $"{tag}-2"], (await P.GetJsonAsync($"/v1/group/channels?name={tag}"))!["channels"].Ids("channel_id").Order());
        Assert.Equal([$"{tag}-1"], (await P.GetJsonAsync($"/v1/group/channels?name={tag}&user_id={owner}&show_members=true"))!["channels"].Ids("channel_id"));
        Assert.Equal(tag, (await P.GetJsonAsync($"/v1/group/channels/{tag}-2")).Str("name"));

        var mark = Server.Mark();
        var updated = await P.PutJsonAsync($"/v1/group/channels/{tag}-1", new { name = "New", meta = new { k = "v" } });
        Assert.Equal("New", updated.Str("name"));
        Assert.Equal("v", updated!["meta"].Str("k"));
        Server.Events.Since(mark).Single("group:channel_update").AssertEvent("group:channel_update", EventTopicKind.ChannelAll, $"{tag}-1", "channel");

        mark = Server.Mark();
        await P.DeleteJsonAsync($"/v1/group/channels/{tag}-1");
        var e = Server.Events.Since(mark).Single("group:channel_delete");
        e.AssertEvent("group:channel_delete", EventTopicKind.ChannelAll, $"{tag}-1", "channel");
        Assert.Equal([Api.Cut(owner, $"{tag}-1")], e.CutsAfter);
        await P.ExpectErrorAsync(HttpMethod.Get, $"/v1/group/channels/{tag}-1", null, 404, 1003);
        await P.ExpectErrorAsync(HttpMethod.Put, $"/v1/group/channels/{tag}-1", new { name = "x" }, 404, 1003);
        await P.ExpectErrorAsync(HttpMethod.Delete, $"/v1/group/channels/{tag}-1", null, 404, 1003);
        await P.ExpectInvalidAsync(HttpMethod.Get, "/v1/group/channels?user_id=bad%20id", null, "user_id");
    }

    [Fact]
    public async Task Members_add_and_remove_raise_the_sdk_events()
    {
        var (a, b, c) = (await NewUserAsync(), await NewUserAsync(), await NewUserAsync());
        var id = Api.NewId("pm");
        await P.PostJsonAsync("/v1/group/channels", new { channel_id = id, name = "M", members = new[] { a } });

        var mark = Server.Mark();
        await P.PostJsonAsync($"/v1/group/channels/{id}/members", new { members = new[] { a, b, c } });
        var events = Server.Events.Since(mark);
        Assert.Equal(4, events.Count);
        Assert.Equal(new[] { b, c }.Order(), events.Where(e => e.Category == "group:channel_join").Select(e => JsonNode.Parse(e.PayloadBytes)!["user"].Str("user_id")).Order());
        foreach (var e in events.Where(e => e.Category == "group:channel_join")) e.AssertEvent("group:channel_join", EventTopicKind.ChannelAll, id, "channel", "user");
        Assert.Equal(new[] { b, c }.Order(), events.Where(e => e.Category == "user_joined_channel").Select(e => e.TargetId).Order());
        foreach (var e in events.Where(e => e.Category == "user_joined_channel")) e.AssertEvent("user_joined_channel", EventTopicKind.User, e.TargetId, "user", "channel");

        // All or nothing: one unknown user adds nobody.
        var d = await NewUserAsync();
        mark = Server.Mark();
        await P.ExpectErrorAsync(HttpMethod.Post, $"/v1/group/channels/{id}/members", new { members = new[] { d, Api.NewId("ghost") } }, 404, 1004);
        await P.ExpectErrorAsync(HttpMethod.Post, $"/v1/group/channels/{Api.NewId("none")}/members", new { members = new[] { d } }, 404, 1003);
        await P.ExpectInvalidAsync(HttpMethod.Post, $"/v1/group/channels/{id}/members", new { }, "members");
        Assert.Empty(Server.Events.Since(mark));
        Assert.DoesNotContain(d, (await P.GetJsonAsync($"/v1/group/channels/{id}/members")).Ids("user_id"));

        mark = Server.Mark();
        await P.DeleteJsonAsync($"/v1/group/channels/{id}/members", new { members = new[] { b, d } });
        var leave = Server.Events.Since(mark).Single("group:channel_leave");
        var json = leave.AssertEvent("group:channel_leave", EventTopicKind.ChannelAll, id, "channel", "user");
        Assert.Equal(b, json["user"].Str("user_id"));
        Assert.Equal([Api.Cut(b, id)], leave.CutsAfter);
        Assert.Single(Server.Events.Since(mark));
        Assert.Equal(new[] { a, c }.Order(), (await P.GetJsonAsync($"/v1/group/channels/{id}/members")).Ids("user_id").Order());
    }

    [Fact]
    public async Task Managers_freeze_ban_and_unban_raise_the_sdk_events()
    {
        var (a, b) = (await NewUserAsync(), await NewUserAsync());
        var id = Api.NewId("pg");
        await P.PostJsonAsync("/v1/group/channels", new { channel_id = id, name = "G", members = new[] { a, b } });

        var mark = Server.Mark();
        await P.PostJsonAsync($"/v1/group/channels/{id}/managers", new { manager = a });
        Server.Events.Since(mark).Single("group:channel_manager_create").AssertEvent("group:channel_manager_create", EventTopicKind.ChannelAll, id, "channel", "user");
        mark = Server.Mark();
        await P.DeleteJsonAsync($"/v1/group/channels/{id}/managers", new { manager = a });
        var removed = Server.Events.Since(mark).Single("group:channel_manager_delete");
        removed.AssertEvent("group:channel_manager_delete", EventTopicKind.ChannelAll, id, "channel", "user");
        Assert.Equal([Api.Cut(a, id, managerOnly: true)], removed.CutsAfter);
        await P.ExpectErrorAsync(HttpMethod.Delete, $"/v1/group/channels/{id}/managers", new { manager = a }, 400, 1016);
        await P.ExpectErrorAsync(HttpMethod.Post, $"/v1/group/channels/{id}/managers", new { manager = await NewUserAsync() }, 403, 1008);

        mark = Server.Mark();
        Assert.True((await P.PutJsonAsync($"/v1/group/channels/{id}/freeze", new { freeze = true }))!["freeze"]!.GetValue<bool>());
        Server.Events.Since(mark).Single("group:channel_freeze").AssertEvent("group:channel_freeze", EventTopicKind.ChannelAll, id, "channel");
        mark = Server.Mark();
        await P.PutJsonAsync($"/v1/group/channels/{id}/freeze", new { freeze = false });
        Server.Events.Since(mark).Single("group:channel_unfreeze").AssertEvent("group:channel_unfreeze", EventTopicKind.ChannelAll, id, "channel");

        // The Platform API may ban a manager.
        await P.PostJsonAsync($"/v1/group/channels/{id}/managers", new { manager = b });
        mark = Server.Mark();
        var ban = await P.PostJsonAsync($"/v1/group/channels/{id}/ban", new { user_id = b, seconds = 60, reason = "ops" });
        Assert.Equal(b, ban!["user"].Str("user_id"));
        var banEvent = Server.Events.Since(mark).Single("group:channel_ban");
        banEvent.AssertEvent("group:channel_ban", EventTopicKind.ChannelAll, id, "channel", "user", "data");
        Assert.Equal([Api.Cut(b, id)], banEvent.CutsAfter);
        Assert.Equal([b], (await P.GetJsonAsync($"/v1/group/channels/{id}/banned_list"))!.AsArray().Select(x => x!["user"].Str("user_id")));
        Assert.Equal([a], (await P.GetJsonAsync($"/v1/group/channels/{id}/members")).Ids("user_id"));
        mark = Server.Mark();
        await P.DeleteJsonAsync($"/v1/group/channels/{id}/ban/{b}");
        Server.Events.Since(mark).Single("group:channel_unban").AssertEvent("group:channel_unban", EventTopicKind.ChannelAll, id, "channel", "user");
        Assert.Empty((await P.GetJsonAsync($"/v1/group/channels/{id}/banned_list"))!.AsArray());
    }

    [Fact]
    public async Task Messages_sent_as_any_user_listed_and_deleted()
    {
        using var alice = await Server.SdkUserAsync(Api.NewId("alice"));
        var outsider = await NewUserAsync("out");
        var id = await alice.NewChannelAsync();
        await alice.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/freeze", new { freeze = true });

        var mark = Server.Mark();
        // As a non-member, into a frozen channel: the backend is trusted.
        var m = await P.PostJsonAsync($"/v1/group/channels/{id}/messages", new { user_id = outsider, type = "text", content = "announcement" });
        Assert.Equal(outsider, m!["user"].Str("user_id"));
        var json = Server.Events.Since(mark).Single("group:message_send").AssertEvent("group:message_send", EventTopicKind.ChannelAll, id, "channel", "message");
        Assert.Equal("announcement", json["message"].Str("content"));
        Assert.Equal(1, (await alice.JoinedChannelAsync(id))["unread"].Long(alice.UserId));

        var f = await P.PostJsonAsync($"/v1/group/channels/{id}/messages", Api.FileForm([1, 2, 3], "p.bin", userId: alice.UserId));
        Assert.Equal(alice.UserId, f!["user"].Str("user_id"));
        Assert.Equal(3, f["file"].Long("size"));
        using (var http = new HttpClient()) Assert.Equal([1, 2, 3], await http.GetByteArrayAsync(f["file"].Str("url")));

        var listed = (await P.GetJsonAsync($"/v1/group/channels/{id}/messages?limit=10"))!["messages"]!.AsArray();
        Assert.Equal([m.Long("message_id"), f.Long("message_id")], listed.Select(x => x.Long("message_id")));
        Assert.Equal(2, (await P.GetJsonAsync($"/v1/group/channels/{id}")).Long("total_message_count"));
        Assert.Equal(1, (await P.GetJsonAsync($"/v1/group/channels/{id}")).Long("total_file_count"));

        mark = Server.Mark();
        await P.DeleteJsonAsync($"/v1/group/channels/{id}/messages/{m.Long("message_id")}");
        Server.Events.Since(mark).Single("group:message_delete").AssertEvent("group:message_delete", EventTopicKind.ChannelAll, id, "channel", "message");

        mark = Server.Mark();
        await P.ExpectErrorAsync(HttpMethod.Delete, $"/v1/group/channels/{id}/messages/{m.Long("message_id")}", null, 404, 1005);
        await P.ExpectErrorAsync(HttpMethod.Post, $"/v1/group/channels/{id}/messages", new { user_id = Api.NewId("ghost"), content = "x" }, 404, 1004);
        await P.ExpectErrorAsync(HttpMethod.Post, $"/v1/group/channels/{Api.NewId("none")}/messages", new { user_id = outsider, content = "x" }, 404, 1003);
        await P.ExpectInvalidAsync(HttpMethod.Post, $"/v1/group/channels/{id}/messages", new { content = "x" }, "user_id");
        await P.ExpectInvalidAsync(HttpMethod.Post, $"/v1/group/channels/{id}/messages", Api.FileForm([1], "p.bin"), "user_id");
        await P.ExpectInvalidAsync(HttpMethod.Post, $"/v1/group/channels/{id}/messages", Api.FileForm([1], "p.bin", userId: "bad id"), "user_id");
        Assert.Empty(Server.Events.Since(mark));
        Assert.Equal(1, (await P.GetJsonAsync($"/v1/group/channels/{id}")).Long("total_message_count"));
    }

    [Fact]
    public async Task Session_token_for_a_platform_user_opens_the_sdk()
    {
        var id = await NewUserAsync("tok");
        using var user = await Server.SdkUserAsync(id);
        Assert.Equal(id, (await user.Http.GetJsonAsync("/v1/sdk/users/info/me")).Str("user_id"));
    }
}
