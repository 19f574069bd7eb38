using GitpleLive.Server.Events;
using GitpleLive.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Server.Tests;

/// <summary>PROTOCOL §5.2: join, leave, members and online members.</summary>
public class MembershipTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    [Fact]
    public async Task Join_adds_the_caller_and_raises_join_and_user_joined_channel()
    {
        var u = await Server.NewUsersAsync("alice", "bob");
        var (alice, bob) = (u[0], u[1]);
        var id = await alice.NewChannelAsync();
        var mark = Server.Mark();
        await bob.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/join");
        var events = Server.Events.Since(mark);
        Assert.Equal(2, events.Count);
        var join = events.Single("group:channel_join").AssertEvent("group:channel_join", EventTopicKind.ChannelAll, id, "channel", "user");
        Assert.Equal(bob.UserId, join["user"].Str("user_id"));
        var mine = events.Single("user_joined_channel").AssertEvent("user_joined_channel", EventTopicKind.User, bob.UserId, "user", "channel");
        Assert.Equal(id, mine["channel"].Str("channel_id"));
        var members = await bob.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/members");
        Assert.Contains(bob.UserId, members.Ids("user_id"));
        Assert.Contains(id, (await bob.Http.GetJsonAsync("/v1/sdk/group/channels/joined/list/all")).Ids("channel_id"));
    }

    [Fact]
    public async Task Join_refusals()
    {
        var u = await Server.NewUsersAsync("alice", "bob");
        var (alice, bob) = (u[0], u[1]);
        var id = await alice.NewChannelAsync(bob);
        var mark = Server.Mark();
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/join", null, 400, 1006);
        await alice.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/join", null, 400, 1006);
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{Api.NewId("none")}/join", null, 404, 1003);
        Assert.Empty(Server.Events.Since(mark));
    }

    [Fact]
    public async Task Joining_starts_with_nothing_unread()
    {
        var u = await Server.NewUsersAsync("alice", "bob");
        var (alice, bob) = (u[0], u[1]);
        var id = await alice.NewChannelAsync();
        await alice.SendTextAsync(id, "before bob");
        await bob.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/join");
        Assert.Equal(0, (await bob.JoinedChannelAsync(id))["unread"].Long(bob.UserId));
        await alice.SendTextAsync(id, "after bob");
        Assert.Equal(1, (await bob.JoinedChannelAsync(id))["unread"].Long(bob.UserId));
    }

    [Fact]
    public async Task Leave_removes_the_caller_and_cuts_their_subscription()
    {
        var u = await Server.NewUsersAsync("alice", "bob");
        var (alice, bob) = (u[0], u[1]);
        var id = await alice.NewChannelAsync(bob);
        var mark = Server.Mark();
        await bob.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/leave");
        var e = Server.Events.Since(mark).Single("group:channel_leave");
        var json = e.AssertEvent("group:channel_leave", EventTopicKind.ChannelAll, id, "channel", "user");
        Assert.Equal(bob.UserId, json["user"].Str("user_id"));
        Assert.Equal([Api.Cut(bob.UserId, id)], e.CutsAfter);
        Assert.Single(Server.Events.Since(mark));
        Assert.Equal([alice.UserId], (await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/members")).Ids("user_id"));
        await bob.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}/members", null, 403, 1008);
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{id}/messages", new { type = "text", content = "x" }, 403, 1008);
        // Leaving again or leaving a missing channel.
        mark = Server.Mark();
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/leave", null, 403, 1008);
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{Api.NewId("none")}/leave", null, 404, 1003);
        Assert.Empty(Server.Events.Since(mark));
        // And joining back works.
        await bob.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/join");
    }

    [Fact]
    public async Task Members_list_has_joined_at_and_is_for_members_only()
    {
        var u = await Server.NewUsersAsync("alice", "bob", "eve");
        var (alice, bob, eve) = (u[0], u[1], u[2]);
        var id = await alice.NewChannelAsync();
        await Task.Delay(5);
        var before = Api.NowMs;
        await bob.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/join");
        var members = (await bob.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/members"))!.AsArray();
        Assert.Equal([alice.UserId, bob.UserId], members.Ids("user_id"));
        Assert.InRange(members[1].Long("joined_at"), before, Api.NowMs);
        Assert.True(members[0].Long("joined_at") < members[1].Long("joined_at"));
        Assert.All(members, m => Assert.True(m.Has("name") && m.Has("created_at") && m.Has("updated_at")));
        await eve.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}/members", null, 403, 1008);
        await eve.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{Api.NewId("none")}/members", null, 404, 1003);
    }

    [Fact]
    public async Task Online_members_lists_nobody_without_realtime_connections_and_is_for_members_only()
    {
        var u = await Server.NewUsersAsync("alice", "eve");
        var (alice, eve) = (u[0], u[1]);
        var id = await alice.NewChannelAsync();
        var online = await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/online_members");
        Assert.Empty(online!.AsArray());

        // A member with a live connection is listed (presence is fed by the realtime layer).
        Server.Services.GetRequiredService<IPresence>().Connected(Server.AppId, alice.UserId, "client-1");
        Assert.Equal([alice.UserId], (await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/online_members"))!.AsArray().Select(n => n!.GetValue<string>()));
        Server.Services.GetRequiredService<IPresence>().Disconnected(Server.AppId, alice.UserId, "client-1");
        Assert.Empty((await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/online_members"))!.AsArray());

        await eve.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}/online_members", null, 403, 1008);
        await eve.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{Api.NewId("none")}/online_members", null, 404, 1003);
    }
}
