using System.Text.Json.Nodes;
using GitpleLive.Server.Events;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>PROTOCOL §5.2: group channel lifecycle, reads and lists.</summary>
public class ChannelTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    private const string AllShows = "show_members=true&show_managers=true&show_read_receipt=true&show_delivery_receipt=true&show_unread=true&show_last_message=true";

    [Fact]
    public async Task Create_joins_caller_and_members_and_makes_the_caller_manager()
    {
        var (alice, bob, carol) = await Trio();
        var id = Api.NewId("ch");
        var mark = Server.Mark();
        var before = Api.NowMs;
        var channel = await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new
        {
            channel_id = id, name = "Room", profile_url = "https://example.com/r.png", members = new[] { bob.UserId, carol.UserId, bob.UserId }, meta = new { topic = "x" },
        });
        Assert.Equal(id, channel.Str("channel_id"));
        Assert.Equal("group", channel.Str("type"));
        Assert.Equal("Room", channel.Str("name"));
        Assert.False(channel!["freeze"]!.GetValue<bool>());
        Assert.Equal("https://example.com/r.png", channel.Str("profile_url"));
        Assert.Equal("x", channel["meta"].Str("topic"));
        Assert.Equal(0, channel.Long("total_message_count"));
        Assert.Equal(0, channel.Long("total_file_count"));
        Assert.InRange(channel.Long("created_at"), before - 1, Api.NowMs);
        Assert.Equal(channel.Long("created_at"), channel.Long("updated_at"));

        var members = await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/members");
        Assert.Equal(new[] { alice.UserId, bob.UserId, carol.UserId }.Order(), members.Ids("user_id").Order());
        Assert.All(members!.AsArray(), m => Assert.Equal(channel.Long("created_at"), m.Long("joined_at")));
        Assert.Equal([alice.UserId], (await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/managers")).Ids("user_id"));

        var events = Server.Events.Since(mark);
        Assert.Equal(4, events.Count);
        var joined = events.Where(e => e.Category == "user_joined_channel").ToList();
        Assert.Equal(new[] { alice.UserId, bob.UserId, carol.UserId }.Order(), joined.Select(e => e.TargetId).Order());
        foreach (var e in joined)
        {
            var json = e.AssertEvent("user_joined_channel", EventTopicKind.User, e.TargetId, "user", "channel");
            Assert.Equal(e.TargetId, json["user"].Str("user_id"));
            Assert.Equal(id, json["channel"].Str("channel_id"));
        }
        var manager = events.Single("user_become_manager");
        manager.AssertEvent("user_become_manager", EventTopicKind.User, alice.UserId, "user", "channel");
    }

    [Fact]
    public async Task Create_with_an_existing_id_is_1007_unless_reuse()
    {
        var (alice, bob, _) = await Trio();
        var id = await alice.NewChannelAsync();
        var mark = Server.Mark();
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/group/channels", new { channel_id = id, name = "Other" }, 400, 1007);
        var reused = await bob.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = id, name = "Other", reuse = true });
        Assert.Equal(id, reused.Str("channel_id"));
        Assert.Equal("Room " + id, reused.Str("name"));
        Assert.Empty(Server.Events.Since(mark));
        await bob.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}/members", null, 403, 1008);
    }

    [Fact]
    public async Task Create_with_an_unknown_member_is_1004_and_creates_nothing()
    {
        var (alice, _, _) = await Trio();
        var id = Api.NewId("ch");
        var mark = Server.Mark();
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/group/channels", new { channel_id = id, name = "R", members = new[] { Api.NewId("ghost") } }, 404, 1004);
        await alice.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}", null, 404, 1003);
        Assert.Empty(Server.Events.Since(mark));
    }

    [Fact]
    public async Task Get_answers_the_channel_or_1003()
    {
        var (alice, bob, _) = await Trio();
        var id = await alice.NewChannelAsync();
        var channel = await bob.ChannelAsync(id);
        Assert.Equal(id, channel.Str("channel_id"));
        foreach (var part in new[] { "members", "managers", "unread", "read_receipt", "delivery_receipt", "last_message", "profile_url", "meta" })
            Assert.False(channel.Has(part), part);
        await alice.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{Api.NewId("none")}", null, 404, 1003);
    }

    [Fact]
    public async Task Update_by_a_manager_raises_channel_update()
    {
        var (alice, bob, carol) = await Trio();
        var id = await alice.NewChannelAsync(bob);
        var mark = Server.Mark();
        var updated = await alice.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}", new { name = "Renamed", profile_url = "https://e.com/p" });
        Assert.Equal("Renamed", updated.Str("name"));
        Assert.Equal("https://e.com/p", updated.Str("profile_url"));
        var json = Server.Events.Since(mark).Single("group:channel_update").AssertEvent("group:channel_update", EventTopicKind.ChannelAll, id, "channel");
        Assert.Equal("Renamed", json["channel"].Str("name"));
        Assert.Equal("Renamed", (await carol.ChannelAsync(id)).Str("name"));

        mark = Server.Mark();
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}", new { name = "Bob's" }, 403, 3001);
        await carol.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}", new { name = "Carol's" }, 403, 3001);
        await alice.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{Api.NewId("none")}", new { name = "x" }, 404, 1003);
        Assert.Empty(Server.Events.Since(mark));
        Assert.Equal("Renamed", (await carol.ChannelAsync(id)).Str("name"));
    }

    [Fact]
    public async Task Delete_by_a_manager_removes_channel_and_messages_and_cuts_every_member()
    {
        var (alice, bob, carol) = await Trio();
        var id = await alice.NewChannelAsync(bob, carol);
        await bob.SendTextAsync(id, "bye");
        await bob.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{id}", null, 403, 3001);
        var mark = Server.Mark();
        await alice.Http.DeleteJsonAsync($"/v1/sdk/group/channels/{id}");
        var e = Server.Events.Since(mark).Single("group:channel_delete");
        e.AssertEvent("group:channel_delete", EventTopicKind.ChannelAll, id, "channel");
        Assert.Equal(new[] { alice.UserId, bob.UserId, carol.UserId }.Order(), e.CutsAfter.Select(c => c.UserId).Order());
        Assert.All(e.CutsAfter, c => Assert.Equal(Api.Cut(c.UserId, id), c));
        await alice.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}", null, 404, 1003);
        await alice.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{id}", null, 404, 1003);
        Assert.DoesNotContain(id, (await bob.Http.GetJsonAsync("/v1/sdk/group/channels/joined/list/all")).Ids("channel_id"));
        // The id is free again and the new channel starts empty.
        var again = await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = id, name = "Again" });
        Assert.Equal(0, again.Long("total_message_count"));
        Assert.Empty((await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/messages"))!["messages"]!.AsArray());
    }

    [Fact]
    public async Task Lists_page_with_next_cursors_until_the_end()
    {
        var (alice, bob, _) = await Trio();
        var tag = Api.NewId("page");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var id = $"{tag}-{i}";
            await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = id, name = $"{tag} room {i}", members = i % 2 == 0 ? new[] { bob.UserId } : [] });
            ids.Add(id);
        }
        async Task<List<string>> Walk(SdkUser user, string path, int limit, int expectedPages)
        {
            var seen = new List<string>();
            string? next = null;
            for (var page = 0; ; page++)
            {
                var url = $"{path}?name={tag}&limit={limit}" + (next is null ? "" : $"&next={Uri.EscapeDataString(next)}");
                var answer = await user.Http.GetJsonAsync(url);
                var channels = answer!["channels"]!.AsArray();
                Assert.True(channels.Count <= limit);
                seen.AddRange(channels.Select(c => c.Str("channel_id")));
                next = answer.Has("next") ? answer["next"]?.GetValue<string>() : null;
                if (string.IsNullOrEmpty(next))
                {
                    Assert.Equal(expectedPages, page + 1);
                    return seen;
                }
                Assert.Equal(limit, channels.Count);
            }
        }
        var all = await Walk(bob, "/v1/sdk/group/channels", 2, 3);
        Assert.Equal(ids.Order(), all.Order());
        Assert.Equal(all.Count, all.Distinct().Count());
        var joined = await Walk(bob, "/v1/sdk/group/channels/joined/list", 2, 2);
        Assert.Equal(new[] { ids[0], ids[2], ids[4] }.Order(), joined.Order());
        Assert.Equal(ids.Order(), (await Walk(alice, "/v1/sdk/group/channels/joined/list", 5, 1)).Order());
        // Newest first (ties by id), the order the cursor follows.
        var listed = (await alice.Http.GetJsonAsync($"/v1/sdk/group/channels?name={tag}&limit=100"))!["channels"]!.AsArray()
            .Select(c => (Created: c.Long("created_at"), Id: c.Str("channel_id"))).ToList();
        Assert.Equal(listed.OrderByDescending(x => x.Created).ThenBy(x => x.Id, StringComparer.Ordinal), listed);
    }

    [Fact]
    public async Task Name_filter_matches_any_case()
    {
        var (alice, _, _) = await Trio();
        var tag = Api.NewId("Case");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = tag, name = $"Team {tag} Room" });
        foreach (var query in new[] { $"team {tag.ToLowerInvariant()}", $"TEAM {tag.ToUpperInvariant()} ROOM", tag })
        {
            var found = (await alice.Http.GetJsonAsync($"/v1/sdk/group/channels?name={Uri.EscapeDataString(query)}"))!["channels"]!.AsArray();
            Assert.Equal(tag, Assert.Single(found)!.Str("channel_id"));
        }
        Assert.Empty((await alice.Http.GetJsonAsync($"/v1/sdk/group/channels?name={tag}-nope"))!["channels"]!.AsArray());
    }

    [Fact]
    public async Task Default_limit_is_20_and_limit_is_checked()
    {
        var (alice, _, _) = await Trio();
        var tag = Api.NewId("many");
        for (var i = 0; i < 21; i++) await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = $"{tag}-{i:00}", name = tag });
        var first = await alice.Http.GetJsonAsync($"/v1/sdk/group/channels?name={tag}");
        Assert.Equal(20, first!["channels"]!.AsArray().Count);
        Assert.False(string.IsNullOrEmpty(first["next"]?.GetValue<string>()));
        Assert.Equal(21, (await alice.Http.GetJsonAsync($"/v1/sdk/group/channels?name={tag}&limit=100"))!["channels"]!.AsArray().Count);
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, "/v1/sdk/group/channels?limit=0", null, "limit");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, "/v1/sdk/group/channels?limit=101", null, "limit");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, "/v1/sdk/group/channels?limit=ten", null, "limit");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, "/v1/sdk/group/channels/joined/list?next=%21%21%21", null, "next");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, "/v1/sdk/group/channels?show_members=maybe", null, "show_members");
    }

    [Fact]
    public async Task Show_flags_add_exactly_the_parts_asked_for()
    {
        var (alice, bob, carol) = await Trio();
        var id = await alice.NewChannelAsync(bob, carol);
        await bob.SendTextAsync(id, "first");
        var last = await carol.SendTextAsync(id, "second");
        await bob.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/messages/read");
        await carol.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/messages/delivered");

        JsonNode Find(JsonNode? list) => list!["channels"]!.AsArray().Single(c => c.Str("channel_id") == id)!;
        var parts = new Dictionary<string, string>
        {
            ["show_members"] = "members", ["show_managers"] = "managers", ["show_read_receipt"] = "read_receipt",
            ["show_delivery_receipt"] = "delivery_receipt", ["show_unread"] = "unread", ["show_last_message"] = "last_message",
        };
        var none = Find(await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/joined/list?name={id}"));
        foreach (var part in parts.Values) Assert.False(none.Has(part), part);
        foreach (var (flag, part) in parts)
        {
            var c = Find(await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/joined/list?name={id}&{flag}=true"));
            Assert.True(c.Has(part), part);
            foreach (var other in parts.Values.Where(p => p != part)) Assert.False(c.Has(other), $"{flag} also showed {other}");
        }

        var full = Find(await alice.Http.GetJsonAsync($"/v1/sdk/group/channels?name={id}&{AllShows}"));
        Assert.Equal(new[] { alice.UserId, bob.UserId, carol.UserId }.Order(), full["members"].Ids("user_id").Order());
        Assert.All(full["members"]!.AsArray(), m => Assert.True(m.Has("joined_at")));
        Assert.Equal([alice.UserId], full["managers"].Ids("user_id"));
        Assert.Equal(2, full["unread"].Long(alice.UserId));
        Assert.Equal(0, full["unread"].Long(bob.UserId));
        Assert.Equal(1, full["unread"].Long(carol.UserId));
        Assert.True(full["read_receipt"].Long(bob.UserId) > 0);
        Assert.Equal(0, full["read_receipt"].Long(alice.UserId));
        Assert.True(full["delivery_receipt"].Long(carol.UserId) > 0);
        Assert.Equal(0, full["delivery_receipt"].Long(bob.UserId));
        Assert.Equal(last.Long("message_id"), full["last_message"].Long("message_id"));
        Assert.Equal("second", full["last_message"].Str("content"));
        Assert.Equal(2, full.Long("total_message_count"));

        // The bare-array list carries the same parts.
        var bare = await alice.JoinedChannelAsync(id);
        Assert.Equal(full["unread"]!.ToJsonString(), bare["unread"]!.ToJsonString());
        Assert.Equal(full["last_message"].Long("message_id"), bare["last_message"].Long("message_id"));
        // A channel without messages has no last_message even when asked.
        var empty = await alice.NewChannelAsync();
        Assert.False((await alice.JoinedChannelAsync(empty)).Has("last_message"));
    }

    [Fact]
    public async Task Name_and_include_members_filter_the_list()
    {
        var (alice, bob, carol) = await Trio();
        var tag = Api.NewId("flt");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = $"{tag}-ab", name = $"{tag} alpha", members = new[] { bob.UserId } });
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = $"{tag}-abc", name = $"{tag} beta", members = new[] { bob.UserId, carol.UserId } });
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = $"{tag}-ac", name = $"{tag} alphabet", members = new[] { carol.UserId } });

        async Task<string[]> List(string path, string query) =>
            (await alice.Http.GetJsonAsync($"{path}?limit=100&{query}"))!["channels"].Ids("channel_id").Order().ToArray();

        foreach (var path in new[] { "/v1/sdk/group/channels", "/v1/sdk/group/channels/joined/list" })
        {
            Assert.Equal([$"{tag}-ab", $"{tag}-ac"], await List(path, $"name={Uri.EscapeDataString(tag + " alpha")}"));
            Assert.Equal([$"{tag}-ab", $"{tag}-abc", $"{tag}-ac"], await List(path, $"name={tag}"));
            Assert.Equal([$"{tag}-ab", $"{tag}-abc"], await List(path, $"name={tag}&include_members={bob.UserId}"));
            Assert.Equal([$"{tag}-abc"], await List(path, $"name={tag}&include_members={bob.UserId},{carol.UserId}"));
            Assert.Equal([$"{tag}-abc", $"{tag}-ac"], await List(path, $"name={tag}&include_members={carol.UserId},{alice.UserId}"));
            Assert.Empty(await List(path, $"name={tag}&include_members={Api.NewId("ghost")}"));
            Assert.Empty(await List(path, $"name={Api.NewId("nothing")}"));
        }
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, "/v1/sdk/group/channels?include_members=a%20b", null, "include_members");
        // Bob's joined list never shows channels he is not in.
        Assert.Equal([$"{tag}-ab", $"{tag}-abc"], (await bob.Http.GetJsonAsync($"/v1/sdk/group/channels/joined/list?name={tag}"))!["channels"].Ids("channel_id").Order());
    }

    [Fact]
    public async Task Joined_list_all_is_a_bare_array_of_every_joined_channel()
    {
        var (alice, bob, _) = await Trio();
        var ids = new List<string>();
        for (var i = 0; i < 25; i++) ids.Add(await alice.NewChannelAsync(i < 3 ? [bob] : []));
        var all = await alice.Http.GetJsonAsync("/v1/sdk/group/channels/joined/list/all?show_managers=true");
        Assert.IsType<JsonArray>(all);
        Assert.Equal(ids.Order(), all.Ids("channel_id").Order());
        Assert.All(all!.AsArray(), c => Assert.Equal([alice.UserId], c!["managers"].Ids("user_id")));
        Assert.Equal(ids.Take(3).Order(), (await bob.Http.GetJsonAsync("/v1/sdk/group/channels/joined/list/all")).Ids("channel_id").Order());
    }

    [Fact]
    public async Task App_wide_list_decorates_only_the_callers_own_channels()
    {
        var (alice, bob, carol) = await Trio();
        var id = await alice.NewChannelAsync(bob);
        await alice.SendTextAsync(id, "members only");
        await bob.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/messages/read");
        var parts = new[] { "members", "managers", "read_receipt", "delivery_receipt", "unread", "last_message" };
        async Task<JsonNode> Listed(SdkUser user) =>
            (await user.Http.GetJsonAsync($"/v1/sdk/group/channels?name={id}&{AllShows}"))!["channels"]!.AsArray()
                .Single(c => c.Str("channel_id") == id)!;

        // An outsider sees the directory entry and nothing of the members' data.
        var outside = await Listed(carol);
        Assert.Equal(1, outside.Long("total_message_count"));
        foreach (var part in parts) Assert.False(outside.Has(part), $"an outsider saw {part}");

        // A plain member sees the member data but not the managers (the managers endpoint refuses him too).
        var member = await Listed(bob);
        Assert.Equal("members only", member["last_message"].Str("content"));
        Assert.Equal(new[] { alice.UserId, bob.UserId }.Order(), member["members"].Ids("user_id").Order());
        Assert.False(member.Has("managers"));
        await bob.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}/managers", null, 403, 3001);

        // The manager sees everything.
        var manager = await Listed(alice);
        foreach (var part in parts) Assert.True(manager.Has(part), $"the manager missed {part}");
        Assert.Equal([alice.UserId], manager["managers"].Ids("user_id"));

        // A banned user is out of the channel and sees only the directory entry.
        await alice.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/ban", new { user_id = bob.UserId, seconds = 600 });
        var banned = await Listed(bob);
        foreach (var part in parts) Assert.False(banned.Has(part), $"a banned user saw {part}");
        var direct = (await bob.Http.GetJsonAsync($"/v1/sdk/group/channels/joined/list?name={id}&{AllShows}"))!["channels"]!.AsArray();
        Assert.Empty(direct);

        // The Platform API sees every part of every channel.
        var platform = (await Server.Platform.GetJsonAsync($"/v1/group/channels?name={id}&{AllShows}"))!["channels"]!.AsArray().Single()!;
        foreach (var part in parts) Assert.True(platform.Has(part), $"the Platform API missed {part}");
    }

    private async Task<(SdkUser, SdkUser, SdkUser)> Trio()
    {
        var u = await Server.NewUsersAsync("alice", "bob", "carol");
        return (u[0], u[1], u[2]);
    }
}
