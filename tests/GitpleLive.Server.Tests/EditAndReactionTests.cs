using System.Text.Json.Nodes;
using GitpleLive.Server.Events;
using GitpleLive.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Server.Tests;

/// <summary>PROTOCOL §10: editing a message (its sender only) and reactions (members, idempotent, aggregated).</summary>
public class EditAndReactionTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    private async Task<(SdkUser Alice, SdkUser Bob, SdkUser Carol, string Channel)> Setup()
    {
        var u = await Server.NewUsersAsync("alice", "bob", "carol");
        return (u[0], u[1], u[2], await u[0].NewChannelAsync(u[1]));
    }

    private static string Messages(string channel) => $"/v1/sdk/group/channels/{channel}/messages";

    private static string[] Strings(JsonNode? array) => array!.AsArray().Select(x => x!.GetValue<string>()).ToArray();

    [Fact]
    public async Task The_sender_edits_with_edited_at_and_everyone_hears_message_update()
    {
        var (alice, bob, _, id) = await Setup();
        var m = await bob.SendTextAsync(id, "helo");
        var path = $"{Messages(id)}/{m.Long("message_id")}";
        var mark = Server.Mark();
        var before = Api.NowMs;
        var edited = await bob.Http.PutJsonAsync(path, new { content = "hello" });
        Assert.Equal("hello", edited.Str("content"));
        Assert.InRange(edited.Long("edited_at"), before, Api.NowMs);
        Assert.Equal(edited.Long("edited_at"), edited.Long("updated_at"));
        Assert.Equal(m.Long("created_at"), edited.Long("created_at"));
        var json = Server.Events.Since(mark).Single("group:message_update")
            .AssertEvent("group:message_update", EventTopicKind.ChannelAll, id, "channel", "message");
        Assert.Equal("hello", json["message"].Str("content"));
        Assert.Equal(edited.Long("edited_at"), json["message"].Long("edited_at"));
        Assert.Single(Server.Events.Since(mark));
        var stored = (await alice.Http.GetJsonAsync(Messages(id)))!["messages"]!.AsArray().Single();
        Assert.Equal("hello", stored.Str("content"));
        Assert.Equal(edited.Long("edited_at"), stored.Long("edited_at"));
    }

    [Fact]
    public async Task Edit_refusals_follow_the_send_rules_and_change_nothing()
    {
        var (alice, bob, carol, id) = await Setup();
        var m = await bob.SendTextAsync(id, "mine");
        var path = $"{Messages(id)}/{m.Long("message_id")}";
        var mark = Server.Mark();
        // A manager may delete others' messages but not rewrite their words.
        Assert.Contains("sender", await alice.Http.ExpectErrorAsync(HttpMethod.Put, path, new { content = "rewritten" }, 403, 3001));
        await carol.Http.ExpectErrorAsync(HttpMethod.Put, path, new { content = "x" }, 403, 1008);
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"{Messages(id)}/{(1L << 52)}", new { content = "x" }, 404, 1005);
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{Api.NewId("none")}/messages/1", new { content = "x" }, 404, 1003);
        await bob.Http.ExpectInvalidAsync(HttpMethod.Put, path, new { content = "" }, "content");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Put, path, new { }, "content");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Put, path, new { content = new string('c', 10_001) }, "content");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Put, $"{Messages(id)}/abc", new { content = "x" }, "message_id");
        // A message of another channel is not found through this one.
        var other = await alice.NewChannelAsync(bob);
        var elsewhere = await bob.SendTextAsync(other, "there");
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"{Messages(id)}/{elsewhere.Long("message_id")}", new { content = "x" }, 404, 1005);
        // Frozen: only managers may write, so the sender (not a manager) may not edit either.
        await alice.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/freeze", new { freeze = true });
        mark = Server.Mark();
        await bob.Http.ExpectErrorAsync(HttpMethod.Put, path, new { content = "x" }, 403, 1009);
        await alice.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/freeze", new { freeze = false });
        // File messages have no text to edit.
        var file = await bob.Http.PostJsonAsync(Messages(id), Api.FileForm("x"u8.ToArray(), "a.txt", "text/plain"));
        Assert.Contains("file", await bob.Http.ExpectErrorAsync(HttpMethod.Put, $"{Messages(id)}/{file.Long("message_id")}",
            new { content = "caption" }, 400, 1001));
        var stored = (await alice.Http.GetJsonAsync(Messages(id)))!["messages"]!.AsArray()[0];
        Assert.Equal("mine", stored.Str("content"));
        Assert.False(stored.Has("edited_at"));
        Assert.DoesNotContain(Server.Events.Since(mark), e => e.Category == "group:message_update");
    }

    [Fact]
    public async Task Edits_pass_the_profanity_filter_and_the_platform_may_edit_anything()
    {
        await using var server = await TestServer.StartAsync();
        var u = await server.NewUsersAsync("pa", "pb");
        var id = await u[0].NewChannelAsync(u[1]);
        var m = await u[1].SendTextAsync(id, "fine words");
        var path = $"/v1/sdk/group/channels/{id}/messages/{m.Long("message_id")}";
        await server.Platform.PutJsonAsync("/v1/app", new { profanity_mode = "block", profanity_words = new[] { "darn" } });
        await u[1].Http.ExpectErrorAsync(HttpMethod.Put, path, new { content = "darn it" }, 400, 1020);
        await server.Platform.PutJsonAsync("/v1/app", new { profanity_mode = "mask" });
        var masked = await u[1].Http.PutJsonAsync(path, new { content = "darn it" });
        Assert.Equal("**** it", masked.Str("content"));
        Assert.Equal("darn it", masked!["filter"].Str("origin_content"));
        // The app's backend is trusted: it may edit anyone's message, unfiltered; an edit back to clean text drops the filter.
        var platform = await server.Platform.PutJsonAsync($"/v1/group/channels/{id}/messages/{m.Long("message_id")}", new { content = "darn (moderated)" });
        Assert.Equal("darn (moderated)", platform.Str("content"));
        Assert.False(platform.Has("filter"));
        Assert.True(platform.Has("edited_at"));
    }

    [Fact]
    public async Task Reactions_aggregate_per_key_are_idempotent_and_raise_message_update()
    {
        var (alice, bob, _, id) = await Setup();
        var m = await alice.SendTextAsync(id, "party?");
        var path = $"{Messages(id)}/{m.Long("message_id")}/reactions";
        var mark = Server.Mark();
        var first = await bob.Http.PostJsonAsync(path, new { key = "👍" });
        var reactions = first!["reactions"]!.AsArray();
        Assert.Equal("👍", reactions.Single().Str("key"));
        Assert.Equal(1, reactions.Single().Long("count"));
        Assert.Equal([bob.UserId], Strings(reactions.Single()!["user_ids"]));
        var json = Server.Events.Since(mark).Single("group:message_update")
            .AssertEvent("group:message_update", EventTopicKind.ChannelAll, id, "channel", "message");
        Assert.Equal(1, json["message"]!["reactions"]![0].Long("count"));

        // Idempotent: the same reaction again changes nothing and raises nothing.
        mark = Server.Mark();
        var again = await bob.Http.PostJsonAsync(path, new { key = "👍" });
        Assert.Equal(1, again!["reactions"]![0].Long("count"));
        Assert.Empty(Server.Events.Since(mark));

        await alice.Http.PostJsonAsync(path, new { key = "👍" });
        var both = await alice.Http.PostJsonAsync(path, new { key = "party_parrot" });
        Assert.Equal(["👍", "party_parrot"], both!["reactions"]!.AsArray().Select(r => r.Str("key")));
        Assert.Equal([bob.UserId, alice.UserId], Strings(both["reactions"]![0]!["user_ids"]));

        // History pages carry the same aggregate.
        var listed = (await bob.Http.GetJsonAsync(Messages(id)))!["messages"]![0]!;
        Assert.Equal(both["reactions"]!.ToJsonString(), listed["reactions"]!.ToJsonString());

        // Removing: the count goes down, a key with nobody left disappears, removing again is a no-op.
        mark = Server.Mark();
        var removed = await bob.Http.DeleteJsonAsync(path, new { key = "👍" });
        Assert.Equal([alice.UserId], Strings(removed!["reactions"]![0]!["user_ids"]));
        Assert.Single(Server.Events.Since(mark));
        await alice.Http.DeleteJsonAsync(path, new { key = "👍" });
        mark = Server.Mark();
        var last = await alice.Http.DeleteJsonAsync(path, new { key = "👍" });
        Assert.Equal(["party_parrot"], last!["reactions"]!.AsArray().Select(r => r.Str("key")));
        Assert.Empty(Server.Events.Since(mark));
        await alice.Http.DeleteJsonAsync(path, new { key = "party_parrot" });
        Assert.False((await alice.Http.GetJsonAsync(Messages(id)))!["messages"]![0].Has("reactions"));
    }

    [Fact]
    public async Task Reaction_refusals_name_the_problem_and_store_nothing()
    {
        var (alice, bob, carol, id) = await Setup();
        var m = await alice.SendTextAsync(id, "react to me");
        var path = $"{Messages(id)}/{m.Long("message_id")}/reactions";
        var mark = Server.Mark();
        await carol.Http.ExpectErrorAsync(HttpMethod.Post, path, new { key = "x" }, 403, 1008);
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, $"{Messages(id)}/{1L << 52}/reactions", new { key = "x" }, 404, 1005);
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { }, "key");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { key = "" }, "key");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { key = "   " }, "key");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { key = new string('k', 33) }, "key");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { key = "a\u0007b" }, "key");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, "{\"key\":\"\\ud83d\"}", "key");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { key = 5 }, "key");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Delete, path, new { key = "" }, "key");
        // Exactly 32 code units (a joined emoji counts its parts) is fine.
        await bob.Http.PostJsonAsync(path, new { key = new string('k', 32) });

        // A frozen channel takes reactions from managers only.
        await alice.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/freeze", new { freeze = true });
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, path, new { key = "🧊" }, 403, 1009);
        await alice.Http.PostJsonAsync(path, new { key = "🧊" });
        await alice.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/freeze", new { freeze = false });

        // At most 20 distinct keys per message; an existing key still takes more users.
        for (var i = 2; i < 20; i++) await bob.Http.PostJsonAsync(path, new { key = $"k{i}" });
        Assert.Contains("20", await bob.Http.ExpectErrorAsync(HttpMethod.Post, path, new { key = "one-too-many" }, 400, 1001));
        var full = await alice.Http.PostJsonAsync(path, new { key = "k2" });
        Assert.Equal(20, full!["reactions"]!.AsArray().Count);
        Assert.DoesNotContain(full["reactions"]!.AsArray(), r => r.Str("key") == "one-too-many");
        Assert.DoesNotContain(Server.Events.Since(mark), e => e.Category != "group:message_update" && e.Category.StartsWith("group:message"));
    }

    [Fact]
    public async Task A_reaction_lists_the_first_twenty_users_and_counts_them_all()
    {
        await using var server = await TestServer.StartAsync();
        var users = await server.NewUsersAsync(Enumerable.Range(0, 23).Select(i => $"r{i}").ToArray());
        var id = await users[0].NewChannelAsync(users[1..]);
        var m = await users[0].SendTextAsync(id, "vote");
        var path = $"/v1/sdk/group/channels/{id}/messages/{m.Long("message_id")}/reactions";
        JsonNode? last = null;
        foreach (var u in users) last = await u.Http.PostJsonAsync(path, new { key = "+1" });
        var reaction = last!["reactions"]!.AsArray().Single()!;
        Assert.Equal(23, reaction.Long("count"));
        Assert.Equal(users.Take(20).Select(u => u.UserId), Strings(reaction["user_ids"]));

        // The Platform API reacts as the member it names, with that member's rights.
        var platform = await server.Platform.PostJsonAsync($"/v1/group/channels/{id}/messages/{m.Long("message_id")}/reactions",
            new { key = "🎉", user_id = users[2].UserId });
        Assert.Equal([users[2].UserId], Strings(platform!["reactions"]![1]!["user_ids"]));
        await server.Platform.ExpectInvalidAsync(HttpMethod.Post, $"/v1/group/channels/{id}/messages/{m.Long("message_id")}/reactions",
            new { key = "🎉" }, "user_id");
        var outsider = await server.SdkUserAsync(Api.NewId("out"));
        await server.Platform.ExpectErrorAsync(HttpMethod.Post, $"/v1/group/channels/{id}/messages/{m.Long("message_id")}/reactions",
            new { key = "🎉", user_id = outsider.UserId }, 403, 1008);

        // Deleting the message takes its reactions; deleting a user takes theirs.
        await server.Platform.DeleteJsonAsync($"/v1/users/{users[1].UserId}");
        var after = (await users[0].Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/messages"))!["messages"]![0]!["reactions"]![0]!;
        Assert.Equal(22, after.Long("count"));
        Assert.DoesNotContain(users[1].UserId, Strings(after["user_ids"]));
    }

    [Fact]
    public async Task Apps_never_reach_each_others_messages_through_the_new_calls()
    {
        var (alice, bob, _, id) = await Setup();
        var m = await alice.SendTextAsync(id, "private");
        var messageId = m.Long("message_id");
        var otherAppId = Api.NewId("app2");
        await Server.Services.GetRequiredService<Services.AppService>().CreateAsync(otherAppId, "second", "key-" + otherAppId, allowTokenless: false);
        using var other = new HttpClient { BaseAddress = new Uri(Server.BaseUrl) };
        other.DefaultRequestHeaders.Add("APP_ID", otherAppId);
        other.DefaultRequestHeaders.Add("APP_API_KEY", "key-" + otherAppId);
        var mark = Server.Mark();
        var path = $"/v1/group/channels/{id}/messages/{messageId}";
        // The channel id does not exist in the other app.
        await other.ExpectErrorAsync(HttpMethod.Put, path, new { content = "hijack" }, 404, 1003);
        await other.ExpectErrorAsync(HttpMethod.Post, $"{path}/reactions", new { key = "x", user_id = alice.UserId }, 404, 1003);
        await other.ExpectErrorAsync(HttpMethod.Get, $"{path}/replies", null, 404, 1003);
        await other.ExpectErrorAsync(HttpMethod.Put, $"/v1/group/channels/{id}/typing", new { typing = true, user_id = alice.UserId }, 404, 1003);
        // A channel of the same id there, with the same user ids in it, does not reach this app's message id.
        await other.PostJsonAsync("/v1/users", new { user_id = alice.UserId, name = "Alice 2" });
        await other.PostJsonAsync("/v1/group/channels", new { channel_id = id, name = "twin", members = new[] { alice.UserId } });
        await other.ExpectErrorAsync(HttpMethod.Put, path, new { content = "hijack" }, 404, 1005);
        await other.ExpectErrorAsync(HttpMethod.Post, $"{path}/reactions", new { key = "x", user_id = alice.UserId }, 404, 1005);
        await other.ExpectErrorAsync(HttpMethod.Get, $"{path}/replies", null, 404, 1005);
        await other.ExpectErrorAsync(HttpMethod.Post, $"/v1/group/channels/{id}/messages",
            new { user_id = alice.UserId, content = "x", parent_message_id = messageId }, 404, 1005);
        Assert.DoesNotContain(Server.Events.Since(mark), e => e.AppId == Server.AppId);
        var stored = (await bob.Http.GetJsonAsync(Messages(id)))!["messages"]![0]!;
        Assert.Equal("private", stored.Str("content"));
        Assert.False(stored.Has("reactions"));
        Assert.False(stored.Has("reply_count"));
    }
}
