using System.Text.Json.Nodes;
using GitpleLive.Server.Events;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>PROTOCOL §10: replies (one-level threads) and mentions of members, sent with the message.</summary>
public class ReplyAndMentionTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    private async Task<(SdkUser Alice, SdkUser Bob, SdkUser Carol, string Channel)> Setup()
    {
        var u = await Server.NewUsersAsync("alice", "bob", "carol");
        return (u[0], u[1], u[2], await u[0].NewChannelAsync(u[1]));
    }

    private static string Messages(string channel) => $"/v1/sdk/group/channels/{channel}/messages";

    [Fact]
    public async Task A_reply_names_its_parent_and_the_parent_counts_it_in_one_send()
    {
        var (alice, bob, _, id) = await Setup();
        var parent = await alice.SendTextAsync(id, "question");
        Assert.False(parent.Has("reply_count"));
        Assert.False(parent.Has("parent_message_id"));
        Assert.False(parent.Has("edited_at"));
        Assert.False(parent.Has("reactions"));
        Assert.False(parent.Has("mentioned_user_ids"));
        var parentId = parent.Long("message_id");

        var mark = Server.Mark();
        var reply = await bob.Http.PostJsonAsync(Messages(id), new { type = "text", content = "answer", parent_message_id = parentId });
        Assert.Equal(parentId, reply.Long("parent_message_id"));
        Assert.False(reply.Has("reply_count"));

        // The reply as group:message_send, then the parent as group:message_update, both on the channel topic.
        var events = Server.Events.Since(mark);
        Assert.Equal(["group:message_send", "group:message_update"], events.Select(e => e.Category));
        var sent = events[0].AssertEvent("group:message_send", EventTopicKind.ChannelAll, id, "channel", "message");
        Assert.Equal(parentId, sent["message"].Long("parent_message_id"));
        var updated = events[1].AssertEvent("group:message_update", EventTopicKind.ChannelAll, id, "channel", "message");
        Assert.Equal(parentId, updated["message"].Long("message_id"));
        Assert.Equal(1, updated["message"].Long("reply_count"));
        Assert.Equal(reply.Long("created_at"), updated["message"].Long("last_reply_at"));
        Assert.Equal("question", updated["message"].Str("content"));

        var second = await alice.Http.PostJsonAsync(Messages(id), new { type = "text", content = "more", parent_message_id = parentId });
        // Replies stay in the channel's history (with their parent), and count as messages there.
        var history = (await alice.Http.GetJsonAsync(Messages(id)))!["messages"]!.AsArray();
        Assert.Equal([parentId, reply.Long("message_id"), second.Long("message_id")], history.Select(m => m.Long("message_id")));
        Assert.Equal(2, history[0].Long("reply_count"));
        Assert.Equal(second.Long("created_at"), history[0].Long("last_reply_at"));
        Assert.Equal(3, (await alice.ChannelAsync(id)).Long("total_message_count"));

        // Deleting a reply counts it out of its parent, with the parent's update after the delete.
        mark = Server.Mark();
        await alice.Http.DeleteJsonAsync($"{Messages(id)}/{second.Long("message_id")}");
        Assert.Equal(["group:message_delete", "group:message_update"], Server.Events.Since(mark).Select(e => e.Category));
        var after = Server.Events.Since(mark)[1].AssertEvent("group:message_update", EventTopicKind.ChannelAll, id, "channel", "message");
        Assert.Equal(1, after["message"].Long("reply_count"));
        Assert.Equal(reply.Long("created_at"), after["message"].Long("last_reply_at"));
    }

    [Fact]
    public async Task Reply_refusals_name_the_parent_and_store_nothing()
    {
        var (alice, bob, _, id) = await Setup();
        var other = await alice.NewChannelAsync(bob);
        var parent = (await alice.SendTextAsync(id, "top")).Long("message_id");
        var reply = (await bob.Http.PostJsonAsync(Messages(id), new { content = "r", parent_message_id = parent })).Long("message_id");
        var elsewhere = (await alice.SendTextAsync(other, "in another channel")).Long("message_id");
        var mark = Server.Mark();

        // One level: a reply to a reply is refused, naming the field and the parent to use.
        var message = await bob.Http.ExpectErrorAsync(HttpMethod.Post, Messages(id), new { content = "x", parent_message_id = reply }, 400, 1001);
        Assert.Contains("parent_message_id", message);
        Assert.Contains(parent.ToString(), message);
        // The parent must be in the same channel, and exist.
        Assert.Contains("parent_message_id", await bob.Http.ExpectErrorAsync(HttpMethod.Post, Messages(id),
            new { content = "x", parent_message_id = elsewhere }, 404, 1005));
        Assert.Contains("parent_message_id", await bob.Http.ExpectErrorAsync(HttpMethod.Post, Messages(id),
            new { content = "x", parent_message_id = 1L << 52 }, 404, 1005));
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, Messages(id), new { content = "x", parent_message_id = "one" }, "parent_message_id");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, Messages(id), new { content = "x", parent_message_id = 0 }, "parent_message_id");
        Assert.Empty(Server.Events.Since(mark));
        Assert.Equal(2, (await alice.ChannelAsync(id)).Long("total_message_count"));
        var top = (await alice.Http.GetJsonAsync(Messages(id)))!["messages"]!.AsArray()[0];
        Assert.Equal(1, top.Long("reply_count"));
    }

    [Fact]
    public async Task Mentions_of_members_are_stored_and_sent()
    {
        var (alice, bob, carol, id) = await Setup();
        var mark = Server.Mark();
        var m = await alice.Http.PostJsonAsync(Messages(id),
            new { content = "hi @bob", mentioned_user_ids = new[] { bob.UserId, bob.UserId, alice.UserId } });
        Assert.Equal([bob.UserId, alice.UserId], m!["mentioned_user_ids"]!.AsArray().Select(x => x!.GetValue<string>()));
        var json = Server.Events.Since(mark).Single("group:message_send")
            .AssertEvent("group:message_send", EventTopicKind.ChannelAll, id, "channel", "message");
        Assert.Equal([bob.UserId, alice.UserId], json["message"]!["mentioned_user_ids"]!.AsArray().Select(x => x!.GetValue<string>()));
        var stored = (await bob.Http.GetJsonAsync(Messages(id)))!["messages"]!.AsArray().Single()!;
        Assert.Equal([bob.UserId, alice.UserId], stored["mentioned_user_ids"]!.AsArray().Select(x => x!.GetValue<string>()));

        // An empty list is no mention at all.
        Assert.False((await alice.Http.PostJsonAsync(Messages(id), new { content = "none", mentioned_user_ids = Array.Empty<string>() })).Has("mentioned_user_ids"));

        // Refusals name the id: a non-member 1008, an unknown user 1004 (both 400: the body is wrong), too many 1001.
        mark = Server.Mark();
        Assert.Contains(carol.UserId, await alice.Http.ExpectErrorAsync(HttpMethod.Post, Messages(id),
            new { content = "x", mentioned_user_ids = new[] { bob.UserId, carol.UserId } }, 400, 1008));
        Assert.Contains("ghost-1", await alice.Http.ExpectErrorAsync(HttpMethod.Post, Messages(id),
            new { content = "x", mentioned_user_ids = new[] { "ghost-1" } }, 400, 1004));
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, Messages(id),
            new { content = "x", mentioned_user_ids = Enumerable.Range(0, 51).Select(i => $"u{i}").ToArray() }, "mentioned_user_ids");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, Messages(id), new { content = "x", mentioned_user_ids = new[] { 5 } }, "mentioned_user_ids");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Post, Messages(id), new { content = "x", mentioned_user_ids = "bob" }, "mentioned_user_ids");
        Assert.Empty(Server.Events.Since(mark));
        Assert.Equal(2, (await alice.ChannelAsync(id)).Long("total_message_count"));
    }

    [Fact]
    public async Task A_file_reply_with_mentions_goes_as_multipart_fields()
    {
        var (alice, bob, _, id) = await Setup();
        var parent = (await alice.SendTextAsync(id, "send me the file")).Long("message_id");
        var form = Api.FileForm("%PDF-1.4"u8.ToArray(), "a.pdf", "application/pdf");
        form.Add(new StringContent(parent.ToString()), "parent_message_id");
        form.Add(new StringContent($"[\"{alice.UserId}\"]"), "mentioned_user_ids");
        var m = await bob.Http.PostJsonAsync(Messages(id), form);
        Assert.Equal("file", m.Str("type"));
        Assert.Equal(parent, m.Long("parent_message_id"));
        Assert.Equal([alice.UserId], m!["mentioned_user_ids"]!.AsArray().Select(x => x!.GetValue<string>()));

        var bad = Api.FileForm("x"u8.ToArray(), "b.txt", "text/plain");
        bad.Add(new StringContent("12ab"), "parent_message_id");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, Messages(id), bad, "parent_message_id");
        var (_, files) = (await alice.ChannelAsync(id)) is var c ? (c, c.Long("total_file_count")) : default;
        Assert.Equal(1, files);
    }

    [Fact]
    public async Task The_Platform_API_sends_replies_and_mentions_as_any_user()
    {
        var (alice, bob, carol, id) = await Setup();
        var parent = (await alice.SendTextAsync(id, "top")).Long("message_id");
        var path = $"/v1/group/channels/{id}/messages";
        var m = await Server.Platform.PostJsonAsync(path,
            new { user_id = bob.UserId, content = "from the backend", parent_message_id = parent, mentioned_user_ids = new[] { alice.UserId } });
        Assert.Equal(parent, m.Long("parent_message_id"));
        Assert.Equal(bob.UserId, m!["user"].Str("user_id"));
        // Mentions are of members, for the Platform API too.
        await Server.Platform.ExpectErrorAsync(HttpMethod.Post, path,
            new { user_id = bob.UserId, content = "x", mentioned_user_ids = new[] { carol.UserId } }, 400, 1008);
        JsonNode? top = (await alice.Http.GetJsonAsync(Messages(id)))!["messages"]!.AsArray()[0];
        Assert.Equal(1, top.Long("reply_count"));
    }

    [Fact]
    public async Task The_replies_page_pages_like_history()
    {
        var (alice, bob, carol, id) = await Setup();
        var parent = (await alice.SendTextAsync(id, "thread")).Long("message_id");
        var other = (await alice.SendTextAsync(id, "another thread")).Long("message_id");
        var replies = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            replies.Add((await bob.Http.PostJsonAsync(Messages(id), new { content = $"r{i}", parent_message_id = parent })).Long("message_id"));
            await alice.Http.PostJsonAsync(Messages(id), new { content = $"o{i}", parent_message_id = other });
            await alice.SendTextAsync(id, $"top {i}");
        }
        var path = $"{Messages(id)}/{parent}/replies";
        long[] Ids(JsonNode? page) => page!["messages"]!.AsArray().Select(m => m.Long("message_id")).ToArray();
        Assert.Equal(replies, Ids(await alice.Http.GetJsonAsync(path)));
        Assert.Equal(replies[3..], Ids(await alice.Http.GetJsonAsync($"{path}?limit=2")));
        Assert.Equal(replies[1..3], Ids(await alice.Http.GetJsonAsync($"{path}?limit=2&base_message_id={replies[3]}")));
        Assert.Equal(replies[2..4], Ids(await alice.Http.GetJsonAsync($"{path}?limit=2&mode=next&base_message_id={replies[1]}")));
        Assert.Equal(replies[..2], Ids(await alice.Http.GetJsonAsync($"{path}?limit=2&mode=next")));
        Assert.Empty(Ids(await alice.Http.GetJsonAsync($"{path}?type=file")));
        var first = (await alice.Http.GetJsonAsync($"{path}?limit=1&mode=next"))!["messages"]![0]!;
        Assert.Equal(parent, first.Long("parent_message_id"));
        Assert.Equal("r0", first.Str("content"));

        await carol.Http.ExpectErrorAsync(HttpMethod.Get, path, null, 403, 1008);
        await alice.Http.ExpectErrorAsync(HttpMethod.Get, $"{Messages(id)}/{1L << 52}/replies", null, 404, 1005);
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?limit=0", null, "limit");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?mode=up", null, "mode");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?content=r1", null, "content");
        // The Platform API reads any thread.
        Assert.Equal(replies, Ids(await Server.Platform.GetJsonAsync($"/v1/group/channels/{id}/messages/{parent}/replies")));
    }
}
