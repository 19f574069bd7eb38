using GitpleLive.Server.Events;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>PROTOCOL §5.1: the caller's own profile and meta.</summary>
public class UserTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    [Fact]
    public async Task Me_answers_the_user_object()
    {
        var before = Api.NowMs;
        using var alice = await Server.SdkUserAsync(Api.NewId("alice"), "Alice");
        var me = await alice.Http.GetJsonAsync("/v1/sdk/users/info/me");
        Assert.Equal(alice.UserId, me.Str("user_id"));
        Assert.Equal("Alice", me.Str("name"));
        Assert.InRange(me.Long("created_at"), before - 1000, Api.NowMs + 1000);
        Assert.Equal(me.Long("created_at"), me.Long("updated_at"));
        // Optional fields without a value are omitted; joined_at only in member lists.
        Assert.False(me.Has("profile_url"));
        Assert.False(me.Has("meta"));
        Assert.False(me.Has("joined_at"));
    }

    [Fact]
    public async Task Update_profile_raises_user_update_to_the_user()
    {
        using var alice = await Server.SdkUserAsync(Api.NewId("alice"));
        var mark = Server.Mark();
        var user = await alice.Http.PutJsonAsync("/v1/sdk/users", new { name = "Alice B", profile_url = "https://example.com/a.png" });
        Assert.Equal("Alice B", user.Str("name"));
        Assert.Equal("https://example.com/a.png", user.Str("profile_url"));
        Assert.True(user.Long("updated_at") >= user.Long("created_at"));
        var e = Server.Events.Since(mark).Single("user_update");
        var json = e.AssertEvent("user_update", EventTopicKind.User, alice.UserId, "user");
        Assert.Equal("Alice B", json["user"].Str("name"));

        // Only the name: profile kept; an empty profile_url clears it.
        Assert.Equal("https://example.com/a.png", (await alice.Http.PutJsonAsync("/v1/sdk/users", new { name = "Alice C" })).Str("profile_url"));
        var cleared = await alice.Http.PutJsonAsync("/v1/sdk/users", new { profile_url = "" });
        Assert.False(cleared.Has("profile_url"));
        Assert.Equal("Alice C", (await alice.Http.GetJsonAsync("/v1/sdk/users/info/me")).Str("name"));
    }

    [Fact]
    public async Task Update_profile_refuses_bad_fields_and_changes_nothing()
    {
        using var alice = await Server.SdkUserAsync(Api.NewId("alice"), "Alice");
        var mark = Server.Mark();
        await alice.Http.ExpectInvalidAsync(HttpMethod.Put, "/v1/sdk/users", new { name = new string('x', 192) }, "name");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Put, "/v1/sdk/users", new { name = 42 }, "name");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Put, "/v1/sdk/users", new { name = "ok", profile_url = new string('u', 2049) }, "profile_url");
        Assert.Equal("Alice", (await alice.Http.GetJsonAsync("/v1/sdk/users/info/me")).Str("name"));
        Assert.Empty(Server.Events.Since(mark));
    }

    [Fact]
    public async Task Meta_merges_and_deletes_keys()
    {
        using var alice = await Server.SdkUserAsync(Api.NewId("alice"));
        var mark = Server.Mark();
        var u1 = await alice.Http.PutJsonAsync($"/v1/sdk/users/{alice.UserId}/meta", new { meta = new { a = "1", b = "2" } });
        Assert.Equal("1", u1!["meta"].Str("a"));
        var u2 = await alice.Http.PutJsonAsync($"/v1/sdk/users/{alice.UserId}/meta", new { meta = new { b = "3", c = "4" } });
        Assert.Equal(["a", "b", "c"], u2!["meta"]!.AsObject().Select(p => p.Key).Order());
        Assert.Equal("3", u2["meta"].Str("b"));
        var u3 = await alice.Http.DeleteJsonAsync($"/v1/sdk/users/{alice.UserId}/meta", new { keys = new[] { "a", "c", "missing" } });
        Assert.Equal(["b"], u3!["meta"]!.AsObject().Select(p => p.Key));
        var u4 = await alice.Http.DeleteJsonAsync($"/v1/sdk/users/{alice.UserId}/meta", new { keys = new[] { "b" } });
        Assert.False(u4.Has("meta"));
        var events = Server.Events.Since(mark);
        Assert.Equal(4, events.Count);
        foreach (var e in events) e.AssertEvent("user_update", EventTopicKind.User, alice.UserId, "user");
    }

    [Fact]
    public async Task Meta_of_another_user_is_refused()
    {
        var (alice, bob) = (await Server.SdkUserAsync(Api.NewId("alice")), await Server.SdkUserAsync(Api.NewId("bob")));
        await alice.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/users/{bob.UserId}/meta", new { meta = new { a = "1" } }, 403, 3001);
        await alice.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/users/{bob.UserId}/meta", new { keys = new[] { "a" } }, 403, 3001);
        Assert.False((await bob.Http.GetJsonAsync("/v1/sdk/users/info/me")).Has("meta"));
    }

    [Fact]
    public async Task Meta_refusals()
    {
        using var alice = await Server.SdkUserAsync(Api.NewId("alice"));
        var path = $"/v1/sdk/users/{alice.UserId}/meta";
        await alice.Http.ExpectInvalidAsync(HttpMethod.Put, path, new { }, "meta");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Put, path, new { meta = new { a = 1 } }, "meta.a");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Put, path, new { meta = new[] { "a" } }, "meta");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Put, path, new { meta = new { a = new string('v', 1025) } }, "meta.a");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Put, path, """{"meta":{"":"x"}}""", "meta");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Delete, path, new { }, "keys");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Delete, path, new { keys = "a" }, "keys");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Delete, path, new { keys = new[] { 1 } }, "keys");
        // Default app limit: 20 keys.
        var many = Enumerable.Range(0, 21).ToDictionary(i => $"k{i}", i => "v");
        await alice.Http.ExpectErrorAsync(HttpMethod.Put, path, new { meta = many }, 400, 1014);
        await alice.Http.PutJsonAsync(path, new { meta = many.Take(20).ToDictionary() });
        await alice.Http.ExpectErrorAsync(HttpMethod.Put, path, new { meta = new { extra = "x" } }, 400, 1014);
        Assert.Equal(20, (await alice.Http.GetJsonAsync("/v1/sdk/users/info/me"))!["meta"]!.AsObject().Count);
    }

    [Fact]
    public async Task Mark_read_in_many_channels_raises_one_read_event_per_channel()
    {
        var (alice, bob) = (await Server.SdkUserAsync(Api.NewId("alice")), await Server.SdkUserAsync(Api.NewId("bob")));
        var c1 = await alice.NewChannelAsync(bob);
        var c2 = await alice.NewChannelAsync(bob);
        await bob.SendTextAsync(c1, "one");
        await bob.SendTextAsync(c2, "two");
        await bob.SendTextAsync(c2, "three");
        Assert.Equal(1, (await alice.JoinedChannelAsync(c1))["unread"].Long(alice.UserId));
        Assert.Equal(2, (await alice.JoinedChannelAsync(c2))["unread"].Long(alice.UserId));

        var mark = Server.Mark();
        var before = Api.NowMs;
        await alice.Http.PutJsonAsync("/v1/sdk/users/messages/read", new { channels = new[] { c1, c2 } });
        var events = Server.Events.Since(mark);
        Assert.Equal(2, events.Count);
        Assert.Equal([c1, c2], events.Select(e => e.TargetId));
        foreach (var e in events)
        {
            var json = e.AssertEvent("group:channel_message_read_event", EventTopicKind.ChannelAll, e.TargetId, "channel");
            Assert.Equal(0, json["channel"]!["unread"].Long(alice.UserId));
            Assert.InRange(json["channel"]!["read_receipt"].Long(alice.UserId), before, Api.NowMs);
        }
        foreach (var c in new[] { c1, c2 })
        {
            var ch = await alice.JoinedChannelAsync(c);
            Assert.Equal(0, ch["unread"].Long(alice.UserId));
            Assert.InRange(ch["read_receipt"].Long(alice.UserId), before, Api.NowMs);
        }
    }

    [Fact]
    public async Task Mark_read_in_many_channels_is_all_or_nothing()
    {
        var (alice, bob) = (await Server.SdkUserAsync(Api.NewId("alice")), await Server.SdkUserAsync(Api.NewId("bob")));
        var mine = await alice.NewChannelAsync(bob);
        var notMine = await bob.NewChannelAsync();
        await bob.SendTextAsync(mine, "hello");
        var mark = Server.Mark();
        await alice.Http.ExpectErrorAsync(HttpMethod.Put, "/v1/sdk/users/messages/read", new { channels = new[] { mine, notMine } }, 403, 1008);
        await alice.Http.ExpectErrorAsync(HttpMethod.Put, "/v1/sdk/users/messages/read", new { channels = new[] { mine, Api.NewId("none") } }, 404, 1003);
        await alice.Http.ExpectInvalidAsync(HttpMethod.Put, "/v1/sdk/users/messages/read", new { channels = Array.Empty<string>() }, "channels");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Put, "/v1/sdk/users/messages/read", new { }, "channels");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Put, "/v1/sdk/users/messages/read", new { channels = "x" }, "channels");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Put, "/v1/sdk/users/messages/read", new { channels = new[] { "bad id" } }, "channels");
        Assert.Empty(Server.Events.Since(mark));
        var ch = await alice.JoinedChannelAsync(mine);
        Assert.Equal(1, ch["unread"].Long(alice.UserId));
        Assert.Equal(0, ch["read_receipt"].Long(alice.UserId));
    }
}
