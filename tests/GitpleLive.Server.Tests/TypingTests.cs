using GitpleLive.Server.Events;
using GitpleLive.Server.Services;
using GitpleLive.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GitpleLive.Server.Tests;

/// <summary>
/// PROTOCOL §10 typing: never stored, at most one event per user and channel per second (the last state is delivered when
/// the second ends), and expiring by itself after 5 s. The server's clock is a <see cref="FakeTimeProvider"/>, so the
/// throttle and the expiry are proven by moving time, not by waiting.
/// </summary>
public class TypingTests
{
    private static List<ChatEvent> Typing(TestServer server, int mark) =>
        server.Events.Since(mark).Where(e => e.Category.StartsWith("group:typing_", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Typing_is_throttled_to_one_event_a_second_and_expires_after_five()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(time: clock);
        var u = await server.NewUsersAsync("alice", "bob");
        var (alice, bob) = (u[0], u[1]);
        var id = await alice.NewChannelAsync(bob);
        var path = $"/v1/sdk/group/channels/{id}/typing";
        var mark = server.Mark();

        // t = 0: the first start goes at once, with the channel and the typist, on the channel's topic.
        await bob.Http.PutJsonAsync(path, new { typing = true });
        var start = Assert.Single(Typing(server, mark));
        var json = start.AssertEvent("group:typing_start", EventTopicKind.ChannelAll, id, "channel", "user");
        Assert.Equal(bob.UserId, json["user"].Str("user_id"));
        Assert.Equal(id, json["channel"].Str("channel_id"));

        // t = 0.5: typing again changes nothing; t = 0.8: a stop inside the second is held...
        clock.Advance(TimeSpan.FromMilliseconds(500));
        await bob.Http.PutJsonAsync(path, new { typing = true });
        clock.Advance(TimeSpan.FromMilliseconds(300));
        await bob.Http.PutJsonAsync(path, new { typing = false });
        Assert.Single(Typing(server, mark));
        // ...and sent when the second ends (t = 1.0).
        clock.Advance(TimeSpan.FromMilliseconds(200));
        var stop = await server.Events.WaitForAsync(e => e.Category == "group:typing_stop");
        stop.AssertEvent("group:typing_stop", EventTopicKind.ChannelAll, id, "channel", "user");
        Assert.Equal(2, Typing(server, mark).Count);

        // t = 1.2: a new start waits for the next second (t = 2.0).
        clock.Advance(TimeSpan.FromMilliseconds(200));
        await bob.Http.PutJsonAsync(path, new { typing = true });
        Assert.Equal(2, Typing(server, mark).Count);
        clock.Advance(TimeSpan.FromMilliseconds(800));
        await WaitForCountAsync(server, mark, 3);
        Assert.Equal("group:typing_start", Typing(server, mark)[2].Category);

        // Without another typing: true, it expires 5 s after the last one (t = 1.2 + 5 = 6.2), by itself.
        clock.Advance(TimeSpan.FromMilliseconds(4100)); // t = 6.1
        Assert.Equal(3, Typing(server, mark).Count);
        clock.Advance(TimeSpan.FromMilliseconds(100)); // t = 6.2
        await WaitForCountAsync(server, mark, 4);
        var expired = Typing(server, mark)[3];
        expired.AssertEvent("group:typing_stop", EventTopicKind.ChannelAll, id, "channel", "user");

        // Nothing was stored.
        Assert.Equal(0, (await alice.ChannelAsync(id)).Long("total_message_count"));

        // A second later the server has forgotten bob; a stop without a start raises nothing.
        clock.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => server.Services.GetRequiredService<TypingService>().Tracked == 0);
        await bob.Http.PutJsonAsync(path, new { typing = false });
        Assert.Equal(4, Typing(server, mark).Count);

        // Two typists do not throttle each other.
        await alice.Http.PutJsonAsync(path, new { typing = true });
        await bob.Http.PutJsonAsync(path, new { typing = true });
        Assert.Equal([alice.UserId, bob.UserId], Typing(server, mark)[4..].Select(e => UserOf(e)));
    }

    [Fact]
    public async Task Typing_refusals_follow_the_send_rules()
    {
        await using var server = await TestServer.StartAsync();
        var u = await server.NewUsersAsync("alice", "bob", "carol");
        var (alice, bob, carol) = (u[0], u[1], u[2]);
        var id = await alice.NewChannelAsync(bob);
        var path = $"/v1/sdk/group/channels/{id}/typing";
        var mark = server.Mark();
        await carol.Http.ExpectErrorAsync(HttpMethod.Put, path, new { typing = true }, 403, 1008);
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{Api.NewId("none")}/typing", new { typing = true }, 404, 1003);
        await bob.Http.ExpectInvalidAsync(HttpMethod.Put, path, new { }, "typing");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Put, path, new { typing = "yes" }, "typing");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Put, path, "[]", "object");
        await alice.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/freeze", new { freeze = true });
        mark = server.Mark();
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, path, new { typing = true }, 403, 1009);
        Assert.Empty(Typing(server, mark));
        // A manager may type in a frozen channel (they may send there).
        await alice.Http.PutJsonAsync(path, new { typing = true });
        Assert.Equal(alice.UserId, UserOf(Assert.Single(Typing(server, mark))));

        // The Platform API types as the member it names.
        await alice.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/freeze", new { freeze = false });
        await server.Platform.PutJsonAsync($"/v1/group/channels/{id}/typing", new { typing = true, user_id = bob.UserId });
        Assert.Equal(bob.UserId, UserOf(Typing(server, mark).Last()));
        await server.Platform.ExpectInvalidAsync(HttpMethod.Put, $"/v1/group/channels/{id}/typing", new { typing = true }, "user_id");
        await server.Platform.ExpectErrorAsync(HttpMethod.Put, $"/v1/group/channels/{id}/typing", new { typing = true, user_id = carol.UserId }, 403, 1008);
    }

    private static string UserOf(ChatEvent e) => System.Text.Json.Nodes.JsonNode.Parse(e.PayloadBytes)!["user"].Str("user_id");

    private static Task WaitForCountAsync(TestServer server, int mark, int count) => WaitUntilAsync(() => Typing(server, mark).Count >= count);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(25);
        Assert.True(condition());
    }
}
