using GitpleLive.Server.Events;
using GitpleLive.TestHost;
using Microsoft.Extensions.Time.Testing;

namespace GitpleLive.Server.Tests;

/// <summary>PROTOCOL §5.2: bans.</summary>
public class BanTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    private async Task<(SdkUser Alice, SdkUser Bob, SdkUser Carol, string Channel)> Setup()
    {
        var u = await Server.NewUsersAsync("alice", "bob", "carol");
        return (u[0], u[1], u[2], await u[0].NewChannelAsync(u[1]));
    }

    [Fact]
    public async Task Ban_removes_the_member_and_keeps_them_out()
    {
        var (alice, bob, _, id) = await Setup();
        var mark = Server.Mark();
        var before = Api.NowMs;
        var ban = await alice.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/ban", new { user_id = bob.UserId, seconds = 600, reason = "spam" });
        Assert.Equal(bob.UserId, ban!["user"].Str("user_id"));
        Assert.InRange(ban.Long("start_at"), before, Api.NowMs);
        Assert.Equal(ban.Long("start_at") + 600_000, ban.Long("end_at"));
        Assert.Equal("spam", ban.Str("reason"));

        var e = Server.Events.Since(mark).Single("group:channel_ban");
        var json = e.AssertEvent("group:channel_ban", EventTopicKind.ChannelAll, id, "channel", "user", "data");
        Assert.Equal(bob.UserId, json["user"].Str("user_id"));
        Assert.Equal(ban.Long("end_at"), json["data"].Long("end_at"));
        Assert.Equal(bob.UserId, json["data"]!["user"].Str("user_id"));
        Assert.Equal([Api.Cut(bob.UserId, id)], e.CutsAfter);
        Assert.Single(Server.Events.Since(mark));

        Assert.Equal([alice.UserId], (await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/members")).Ids("user_id"));
        var banned = (await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/banned_list"))!.AsArray();
        Assert.Equal([bob.UserId], banned.Select(b => b!["user"].Str("user_id")));
        Assert.Equal(ban.Long("end_at"), banned[0].Long("end_at"));

        mark = Server.Mark();
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/join", null, 403, 1019);
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{id}/messages", new { type = "text", content = "x" }, 403, 1008);
        await Server.Platform.ExpectErrorAsync(HttpMethod.Post, $"/v1/group/channels/{id}/members", new { members = new[] { bob.UserId } }, 403, 1019);
        Assert.Empty(Server.Events.Since(mark));
    }

    [Fact]
    public async Task Ban_of_a_non_member_keeps_them_from_joining_without_a_cut()
    {
        var (alice, _, carol, id) = await Setup();
        var mark = Server.Mark();
        await alice.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/ban", new { user_id = carol.UserId, seconds = 60 });
        var e = Server.Events.Since(mark).Single("group:channel_ban");
        Assert.Empty(e.CutsAfter);
        Assert.False(System.Text.Json.Nodes.JsonNode.Parse(e.PayloadBytes)!["data"].Has("reason"));
        await carol.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/join", null, 403, 1019);
    }

    [Fact]
    public async Task Ban_refusals()
    {
        var (alice, bob, carol, id) = await Setup();
        await alice.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/managers", new { manager = bob.UserId });
        await Server.Platform.PostJsonAsync($"/v1/group/channels/{id}/members", new { members = new[] { carol.UserId } });
        var path = $"/v1/sdk/group/channels/{id}/ban";
        var mark = Server.Mark();
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, path, new { user_id = alice.UserId, seconds = 60 }, 400, 1018);
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, path, new { user_id = bob.UserId, seconds = 60 }, 403, 1017);
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, path, new { user_id = alice.UserId, seconds = 60 }, 403, 1017);
        await carol.Http.ExpectErrorAsync(HttpMethod.Post, path, new { user_id = alice.UserId, seconds = 60 }, 403, 3001);
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, path, new { user_id = Api.NewId("ghost"), seconds = 60 }, 404, 1004);
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{Api.NewId("none")}/ban", new { user_id = carol.UserId, seconds = 60 }, 404, 1003);
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { user_id = carol.UserId, seconds = -1 }, "seconds");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { user_id = carol.UserId, seconds = "60" }, "seconds");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { user_id = carol.UserId, seconds = 1.5 }, "seconds");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { seconds = 60 }, "user_id");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { user_id = carol.UserId, seconds = 60, reason = new string('r', 1001) }, "reason");
        Assert.Empty(Server.Events.Since(mark));
        Assert.Equal(3, (await carol.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/members"))!.AsArray().Count);
        Assert.Empty((await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/banned_list"))!.AsArray());
    }

    [Fact]
    public async Task Unban_raises_unban_and_lets_the_user_join()
    {
        var (alice, bob, carol, id) = await Setup();
        await alice.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/ban", new { user_id = bob.UserId, seconds = 600 });
        await carol.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/join");
        var mark = Server.Mark();
        await carol.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{id}/ban/{bob.UserId}", null, 403, 3001);
        await alice.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{id}/ban/{carol.UserId}", null, 404, 1002);
        await alice.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{id}/ban/{Api.NewId("ghost")}", null, 404, 1004);
        await alice.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{Api.NewId("none")}/ban/{bob.UserId}", null, 404, 1003);
        Assert.Empty(Server.Events.Since(mark));

        await alice.Http.DeleteJsonAsync($"/v1/sdk/group/channels/{id}/ban/{bob.UserId}");
        var json = Server.Events.Since(mark).Single("group:channel_unban").AssertEvent("group:channel_unban", EventTopicKind.ChannelAll, id, "channel", "user");
        Assert.Equal(bob.UserId, json["user"].Str("user_id"));
        Assert.Empty((await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/banned_list"))!.AsArray());
        await bob.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/join");
    }

    [Fact]
    public async Task Banned_list_is_for_managers()
    {
        var (alice, bob, carol, id) = await Setup();
        await bob.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}/banned_list", null, 403, 3001);
        await carol.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}/banned_list", null, 403, 3001);
        await alice.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{Api.NewId("none")}/banned_list", null, 404, 1003);
    }

    /// <summary>The one ban expiry on the real clock (the rest move a fake clock on).</summary>
    [Fact]
    public async Task A_ban_ends_at_end_at_in_real_time()
    {
        var (alice, bob, _, id) = await Setup();
        var ban = await alice.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/ban", new { user_id = bob.UserId, seconds = 1 });
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/join", null, 403, 1019);
        var wait = ban.Long("end_at") - Api.NowMs + 50;
        if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait));
        Assert.Empty((await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/banned_list"))!.AsArray());
        await bob.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/join");
        // Banning again after expiry works and starts a new ban.
        var again = await alice.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/ban", new { user_id = bob.UserId, seconds = 60 });
        Assert.True(again.Long("start_at") >= ban.Long("end_at"));
    }
}

/// <summary>Ban expiry on the server's clock, which the test moves on instead of waiting.</summary>
public class BanExpiryTests
{
    [Fact]
    public async Task A_ban_holds_until_end_at_and_ends_there()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(time: clock);
        var u = await server.NewUsersAsync("alice", "bob");
        var (alice, bob) = (u[0], u[1]);
        var id = await alice.NewChannelAsync(bob);
        var ban = await alice.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/ban", new { user_id = bob.UserId, seconds = 1 });
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), ban.Long("start_at"));
        Assert.Equal(ban.Long("start_at") + 1000, ban.Long("end_at"));

        clock.Advance(TimeSpan.FromMilliseconds(999));
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/join", null, 403, 1019);
        Assert.Single((await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/banned_list"))!.AsArray());
        await alice.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{id}/ban/{Api.NewId("ghost")}", null, 404, 1004);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Empty((await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/banned_list"))!.AsArray());
        // An ended ban cannot be lifted any more: it is not there.
        await alice.Http.ExpectErrorAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{id}/ban/{bob.UserId}", null, 404, 1002);
        await bob.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/join");
        var again = await alice.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/ban", new { user_id = bob.UserId, seconds = 60 });
        Assert.Equal(ban.Long("end_at"), again.Long("start_at"));
    }
}
