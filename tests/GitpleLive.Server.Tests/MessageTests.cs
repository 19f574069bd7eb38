using GitpleLive.Server.Events;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>PROTOCOL §5.3: sending, paging, deleting and message meta.</summary>
public class MessageTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    private async Task<(SdkUser Alice, SdkUser Bob, SdkUser Carol, string Channel)> Setup()
    {
        var u = await Server.NewUsersAsync("alice", "bob", "carol");
        return (u[0], u[1], u[2], await u[0].NewChannelAsync(u[1]));
    }

    [Fact]
    public async Task Send_answers_the_message_counts_it_and_raises_message_send()
    {
        var (alice, bob, _, id) = await Setup();
        var mark = Server.Mark();
        var before = Api.NowMs;
        var m = await bob.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/messages", new { type = "text", content = "hello", meta = new { k = "v" } });
        Assert.True(m.Long("message_id") > 0);
        Assert.Equal(id, m.Str("channel_id"));
        Assert.Equal("text", m.Str("type"));
        Assert.Equal("hello", m.Str("content"));
        Assert.Equal("v", m!["meta"].Str("k"));
        Assert.Equal(bob.UserId, m["user"].Str("user_id"));
        Assert.True(m["user"].Has("name"));
        Assert.InRange(m.Long("created_at"), before, Api.NowMs);
        Assert.Equal(m.Long("created_at"), m.Long("updated_at"));
        Assert.False(m.Has("file"));
        Assert.False(m.Has("filter"));

        var json = Server.Events.Since(mark).Single("group:message_send").AssertEvent("group:message_send", EventTopicKind.ChannelAll, id, "channel", "message");
        Assert.Equal(m.Long("message_id"), json["message"].Long("message_id"));
        Assert.Equal(1, json["channel"].Long("total_message_count"));
        Assert.Single(Server.Events.Since(mark));

        var channel = await alice.JoinedChannelAsync(id);
        Assert.Equal(1, channel.Long("total_message_count"));
        Assert.Equal(0, channel.Long("total_file_count"));
        Assert.Equal(1, channel["unread"].Long(alice.UserId));
        Assert.Equal(0, channel["unread"].Long(bob.UserId));

        // type defaults to text.
        var plain = await bob.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/messages", new { content = "no type" });
        Assert.Equal("text", plain.Str("type"));
        Assert.True(plain.Long("message_id") > m.Long("message_id"));
    }

    [Fact]
    public async Task Send_refusals_change_nothing()
    {
        var (alice, bob, carol, id) = await Setup();
        var path = $"/v1/sdk/group/channels/{id}/messages";
        var mark = Server.Mark();
        await carol.Http.ExpectErrorAsync(HttpMethod.Post, path, new { type = "text", content = "x" }, 403, 1008);
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{Api.NewId("none")}/messages", new { type = "text", content = "x" }, 404, 1003);
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { type = "text" }, "content");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { type = "text", content = "" }, "content");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { type = "text", content = 5 }, "content");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { type = "text", content = new string('c', 10_001) }, "content");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { type = "sticker", content = "x" }, "type");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { type = "file", content = "x" }, "multipart");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { type = "text", content = "x", meta = new { n = 1 } }, "meta.n");
        var many = Enumerable.Range(0, 21).ToDictionary(i => $"k{i}", _ => "v");
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, path, new { type = "text", content = "x", meta = many }, 400, 1014);
        Assert.Empty(Server.Events.Since(mark));
        Assert.Equal(0, (await alice.ChannelAsync(id)).Long("total_message_count"));
        Assert.Empty((await alice.Http.GetJsonAsync(path))!["messages"]!.AsArray());
        // Exactly the limit is fine.
        await bob.Http.PostJsonAsync(path, new { type = "text", content = new string('c', 10_000) });
    }

    [Fact]
    public async Task History_pages_exactly_as_the_protocol_says()
    {
        var (alice, bob, carol, id) = await Setup();
        var ids = new List<long>();
        for (var i = 1; i <= 10; i++)
            ids.Add((await (i % 2 == 0 ? alice : bob).SendTextAsync(id, i % 3 == 0 ? $"fizz {i}" : $"msg {i}")).Long("message_id"));
        Assert.Equal(ids.Order(), ids);
        var path = $"/v1/sdk/group/channels/{id}/messages";

        async Task<long[]> Page(string query) =>
            (await bob.Http.GetJsonAsync($"{path}?{query}"))!["messages"]!.AsArray().Select(m => m.Long("message_id")).ToArray();

        // Default: prev, the newest overall, ascending.
        Assert.Equal(ids, await Page(""));
        Assert.Equal(ids.Skip(7), await Page("limit=3"));
        Assert.Equal(ids.Skip(7), await Page("mode=prev&limit=3"));
        // prev with a base: the newest before it, base excluded.
        Assert.Equal(ids.Skip(2).Take(3), await Page($"mode=prev&limit=3&base_message_id={ids[5]}"));
        Assert.Equal(ids.Take(2), await Page($"mode=prev&limit=3&base_message_id={ids[2]}"));
        Assert.Empty(await Page($"mode=prev&base_message_id={ids[0]}"));
        // next with a base: the oldest after it, base excluded.
        Assert.Equal(ids.Skip(6).Take(3), await Page($"mode=next&limit=3&base_message_id={ids[5]}"));
        Assert.Equal(ids.Skip(8), await Page($"mode=next&limit=5&base_message_id={ids[7]}"));
        Assert.Empty(await Page($"mode=next&base_message_id={ids[9]}"));
        // next without a base: the oldest.
        Assert.Equal(ids.Take(4), await Page("mode=next&limit=4"));
        // A base that is not a message id still works as a position.
        Assert.Equal(ids.Take(10), await Page($"mode=prev&base_message_id={ids[9] + 1000}"));
        // Filters.
        Assert.Equal(new[] { ids[2], ids[5], ids[8] }, await Page("content=fizz"));
        Assert.Equal(new[] { ids[5], ids[8] }, await Page("content=fizz&limit=2"));
        Assert.Equal(new[] { ids[2] }, await Page($"content=fizz&mode=prev&base_message_id={ids[5]}"));
        Assert.Equal(ids, await Page("type=text"));
        Assert.Empty(await Page("type=file"));
        Assert.Empty(await Page("content=nothing-like-this"));

        // Walking back page by page visits every message once.
        var seen = new List<long>();
        long? baseId = null;
        while (true)
        {
            var page = await Page("limit=4" + (baseId is { } b ? $"&base_message_id={b}" : ""));
            if (page.Length == 0) break;
            seen.InsertRange(0, page);
            baseId = page[0];
        }
        Assert.Equal(ids, seen);

        // Each message carries its sender.
        var messages = (await bob.Http.GetJsonAsync($"{path}?limit=2"))!["messages"]!.AsArray();
        Assert.Equal(alice.UserId, messages[1]!["user"].Str("user_id"));
        Assert.Equal(bob.UserId, messages[0]!["user"].Str("user_id"));

        // Members only, and checked parameters.
        await carol.Http.ExpectErrorAsync(HttpMethod.Get, path, null, 403, 1008);
        await bob.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{Api.NewId("none")}/messages", null, 404, 1003);
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?limit=0", null, "limit");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?limit=-1", null, "limit");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?limit=ten", null, "limit");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?mode=sideways", null, "mode");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?type=image", null, "type");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?base_message_id=abc", null, "base_message_id");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?base_message_id=-1", null, "base_message_id");
    }

    [Fact]
    public async Task History_limit_defaults_to_20_and_allows_100()
    {
        var (alice, _, _, id) = await Setup();
        for (var i = 0; i < 101; i++) await Server.Platform.PostJsonAsync($"/v1/group/channels/{id}/messages", new { user_id = alice.UserId, content = $"m{i}" });
        var path = $"/v1/sdk/group/channels/{id}/messages";
        var page = (await alice.Http.GetJsonAsync(path))!["messages"]!.AsArray();
        Assert.Equal(20, page.Count);
        Assert.Equal("m100", page[^1].Str("content"));
        Assert.Equal("m81", page[0].Str("content"));
        var big = (await alice.Http.GetJsonAsync($"{path}?limit=100"))!["messages"]!.AsArray();
        Assert.Equal(100, big.Count);
        Assert.Equal("m1", big[0].Str("content"));
    }

    [Fact]
    public async Task Delete_by_sender_or_manager_raises_message_delete_and_updates_counts()
    {
        var (alice, bob, _, id) = await Setup();
        await alice.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/managers", new { manager = alice.UserId });
        var u = await Server.NewUsersAsync("dave");
        var dave = u[0];
        await dave.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/join");
        var m1 = await bob.SendTextAsync(id, "one");
        var m2 = await bob.SendTextAsync(id, "two");
        var m3 = await dave.SendTextAsync(id, "three");

        // Another plain member may not delete it.
        var mark = Server.Mark();
        await dave.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{id}/messages/{m2.Long("message_id")}", null, 403, 3001);
        Assert.Empty(Server.Events.Since(mark));

        // The sender may.
        await bob.Http.DeleteJsonAsync($"/v1/sdk/group/channels/{id}/messages/{m1.Long("message_id")}");
        var json = Server.Events.Since(mark).Single("group:message_delete").AssertEvent("group:message_delete", EventTopicKind.ChannelAll, id, "channel", "message");
        Assert.Equal(m1.Long("message_id"), json["message"].Long("message_id"));
        Assert.Equal(2, json["channel"].Long("total_message_count"));
        // A manager may delete anyone's; the last message follows.
        await alice.Http.DeleteJsonAsync($"/v1/sdk/group/channels/{id}/messages/{m3.Long("message_id")}");
        var channel = await alice.JoinedChannelAsync(id);
        Assert.Equal(1, channel.Long("total_message_count"));
        Assert.Equal(m2.Long("message_id"), channel["last_message"].Long("message_id"));
        Assert.Equal(1, channel["unread"].Long(alice.UserId));
        Assert.Equal([m2.Long("message_id")], (await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/messages"))!["messages"]!.AsArray().Select(m => m.Long("message_id")));

        mark = Server.Mark();
        await bob.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{id}/messages/{m1.Long("message_id")}", null, 404, 1005);
        await bob.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{Api.NewId("none")}/messages/{m2.Long("message_id")}", null, 404, 1003);
        var outsider = (await Server.NewUsersAsync("eve"))[0];
        await outsider.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{id}/messages/{m2.Long("message_id")}", null, 403, 1008);
        Assert.Empty(Server.Events.Since(mark));

        // Deleting the only message leaves no last message; ids keep increasing.
        await bob.Http.DeleteJsonAsync($"/v1/sdk/group/channels/{id}/messages/{m2.Long("message_id")}");
        var empty = await alice.JoinedChannelAsync(id);
        Assert.Equal(0, empty.Long("total_message_count"));
        Assert.False(empty.Has("last_message"));
        Assert.True((await bob.SendTextAsync(id, "four")).Long("message_id") > m3.Long("message_id"));
    }

    [Fact]
    public async Task A_message_id_of_another_channel_is_not_found()
    {
        var (alice, bob, _, id) = await Setup();
        var other = await alice.NewChannelAsync(bob);
        var m = await bob.SendTextAsync(other, "elsewhere");
        await bob.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{id}/messages/{m.Long("message_id")}", null, 404, 1005);
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/messages/{m.Long("message_id")}/meta", new { meta = new { a = "b" } }, 404, 1005);
        Assert.Equal(1, (await alice.ChannelAsync(other)).Long("total_message_count"));
    }

    [Fact]
    public async Task Message_meta_merges_deletes_and_raises_message_update()
    {
        var (alice, bob, carol, id) = await Setup();
        var m = await bob.SendTextAsync(id, "meta me");
        var path = $"/v1/sdk/group/channels/{id}/messages/{m.Long("message_id")}/meta";
        var mark = Server.Mark();
        var m1 = await alice.Http.PutJsonAsync(path, new { meta = new { a = "1", b = "2" } });
        Assert.Equal(m.Long("message_id"), m1.Long("message_id"));
        Assert.Equal("meta me", m1.Str("content"));
        Assert.True(m1.Long("updated_at") >= m.Long("updated_at"));
        var m2 = await bob.Http.PutJsonAsync(path, new { meta = new { b = "3" } });
        Assert.Equal("3", m2!["meta"].Str("b"));
        Assert.Equal("1", m2["meta"].Str("a"));
        var m3 = await bob.Http.DeleteJsonAsync(path, new { keys = new[] { "a", "b" } });
        Assert.False(m3.Has("meta"));
        var events = Server.Events.Since(mark);
        Assert.Equal(3, events.Count);
        foreach (var e in events)
        {
            var json = e.AssertEvent("group:message_update", EventTopicKind.ChannelAll, id, "channel", "message");
            Assert.Equal(m.Long("message_id"), json["message"].Long("message_id"));
        }

        mark = Server.Mark();
        await carol.Http.ExpectErrorAsync(HttpMethod.Put, path, new { meta = new { a = "1" } }, 403, 1008);
        await carol.Http.ExpectErrorAsync(HttpMethod.Delete, path, new { keys = new[] { "a" } }, 403, 1008);
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/messages/{m.Long("message_id") + 100_000}/meta", new { meta = new { a = "1" } }, 404, 1005);
        await bob.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{id}/messages/{m.Long("message_id") + 100_000}/meta", new { keys = new[] { "a" } }, 404, 1005);
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{Api.NewId("none")}/messages/{m.Long("message_id")}/meta", new { meta = new { a = "1" } }, 404, 1003);
        await bob.Http.ExpectInvalidAsync(HttpMethod.Put, path, new { meta = "a" }, "meta");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Delete, path, new { keys = new[] { "" } }, "keys");
        var many = Enumerable.Range(0, 21).ToDictionary(i => $"k{i}", _ => "v");
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, path, new { meta = many }, 400, 1014);
        Assert.Empty(Server.Events.Since(mark));
    }
}
