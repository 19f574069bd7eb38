using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>Open channel participants across two nodes on one PostgreSQL store and one Redis.</summary>
public class MultiNodeOpenChannelTests
{
    [SkippableFact]
    public async Task Participants_and_events_span_the_nodes_and_a_disconnect_anywhere_removes_them()
    {
        var reason = await ExternalServices.PostgresAndRedisMissingAsync();
        Skip.If(reason is not null, reason);
        await using var nodes = await TwoNodes.StartAsync("open");
        var (a, b) = nodes;
        var alice = await a.SdkUserAsync("alice");
        var bob = await b.SdkUserAsync("bob");
        await alice.Http.PostJsonAsync("/v1/sdk/open/channels", new { channel_id = "stage", name = "Stage" });

        // Bob is connected to node B only; he enters through node A, which learns of his connection through Redis.
        await using var bobMqtt = await OpenMqtt.ConnectAsync(b, bob);
        await using var aliceMqtt = await OpenMqtt.ConnectAsync(a, alice);
        Assert.Equal(1, (await alice.Http.PutJsonAsync("/v1/sdk/open/channels/stage/enter")).Long("participant_count"));
        Assert.Equal(2, (await bob.Http.PutJsonAsync("/v1/sdk/open/channels/stage/enter")).Long("participant_count"));
        Assert.Equal(["alice", "bob"], (await alice.Http.GetJsonAsync("/v1/sdk/open/channels/stage/participants"))!["participants"].Ids("user_id"));
        Assert.Equal(2, (await b.Platform.GetJsonAsync("/v1/open/channels/stage")).Long("participant_count"));

        // Node B's ACL sees the participation written through node A.
        await bobMqtt.SubscribeOkAsync(bobMqtt.OpenTopic("stage"));
        await aliceMqtt.SubscribeOkAsync(aliceMqtt.OpenTopic("stage"));
        await alice.Http.PostJsonAsync("/v1/sdk/open/channels/stage/messages", new { type = "text", content = "across nodes" });
        var (topic, json) = await bobMqtt.NextAsync();
        Assert.Equal($"{bobMqtt.Prefix}/channel/open/stage/all/open:message_send", topic);
        Assert.Equal("across nodes", json["message"].Str("content"));
        Assert.Equal("open:message_send", (await aliceMqtt.NextAsync()).Json.Str("category"));

        // A ban through node A reaches bob on node B first, then cuts him there.
        await alice.Http.PostJsonAsync("/v1/sdk/open/channels/stage/ban", new { user_id = "bob", seconds = 1 });
        Assert.Equal("open:channel_ban", (await bobMqtt.NextAsync()).Json.Str("category"));
        Assert.Equal("open:channel_ban", (await aliceMqtt.NextAsync()).Json.Str("category"));
        await alice.Http.PostJsonAsync("/v1/sdk/open/channels/stage/messages", new { type = "text", content = "not for bob" });
        Assert.Equal("not for bob", (await aliceMqtt.NextAsync()).Json["message"].Str("content"));
        await bobMqtt.ExpectNothingAsync();
        Assert.Equal(["alice"], (await b.Platform.GetJsonAsync("/v1/open/channels/stage/participants"))!["participants"].Ids("user_id"));

        // Alice's connection on node A closes: node B no longer counts her.
        await aliceMqtt.DisposeAsync();
        await OpenChannelTests.EventuallyAsync(async () => (await b.Platform.GetJsonAsync("/v1/open/channels/stage")).Long("participant_count") == 0);
        Assert.Empty((await b.Platform.GetJsonAsync("/v1/open/channels/stage/participants"))!["participants"]!.AsArray());
    }
}
