using System.Text.Json.Nodes;
using GitpleLive.Server.Events;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>PROTOCOL §5.2: read and delivery receipts and unread counts.</summary>
public class ReceiptTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    private async Task<(SdkUser Alice, SdkUser Bob, SdkUser Carol, string Channel)> Setup()
    {
        var u = await Server.NewUsersAsync("alice", "bob", "carol");
        return (u[0], u[1], u[2], await u[0].NewChannelAsync(u[1], u[2]));
    }

    /// <summary>
    /// <paramref name="user"/> marks the channel <paramref name="what"/> ("read" or "delivered"); returns the channel
    /// of the one event this raises on the channel's topic, the time just before, and the event mark taken before.
    /// </summary>
    private async Task<(JsonNode Channel, long Before, int Mark)> MarkAsync(SdkUser user, string id, string what)
    {
        var category = $"group:channel_message_{what}_event";
        var mark = Server.Mark();
        var before = Api.NowMs;
        await user.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/messages/{what}");
        var json = Server.Events.Since(mark).Single(category).AssertEvent(category, EventTopicKind.ChannelAll, id, "channel");
        return (json["channel"]!, before, mark);
    }

    [Fact]
    public async Task Unread_counts_others_messages_since_the_last_read()
    {
        var (alice, bob, carol, id) = await Setup();
        await alice.SendTextAsync(id, "a1");
        await bob.SendTextAsync(id, "b1");
        await bob.SendTextAsync(id, "b2");
        var c = await carol.JoinedChannelAsync(id);
        Assert.Equal(2, c["unread"].Long(alice.UserId));
        Assert.Equal(1, c["unread"].Long(bob.UserId));
        Assert.Equal(3, c["unread"].Long(carol.UserId));
        Assert.Equal(3, c["unread"]!.AsObject().Count);

        await carol.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/messages/read");
        await alice.SendTextAsync(id, "a2");
        c = await carol.JoinedChannelAsync(id);
        Assert.Equal(1, c["unread"].Long(carol.UserId));
        Assert.Equal(2, c["unread"].Long(alice.UserId));
        Assert.Equal(2, c["unread"].Long(bob.UserId));
    }

    [Fact]
    public async Task Read_sets_unread_to_zero_and_read_receipt_to_now_and_raises_the_read_event()
    {
        var (alice, bob, carol, id) = await Setup();
        await alice.SendTextAsync(id, "one");
        await alice.SendTextAsync(id, "two");
        var (channel, before, mark) = await MarkAsync(bob, id, "read");
        Assert.Single(Server.Events.Since(mark));
        Assert.Equal(id, channel.Str("channel_id"));
        Assert.InRange(channel["read_receipt"].Long(bob.UserId), before, Api.NowMs);
        Assert.Equal(0, channel["read_receipt"].Long(carol.UserId));
        Assert.Equal(0, channel["unread"].Long(bob.UserId));
        Assert.Equal(2, channel["unread"].Long(carol.UserId));
        Assert.Equal(0, channel["unread"].Long(alice.UserId));
        Assert.True(channel.Has("delivery_receipt"));
        Assert.Equal(3, channel["delivery_receipt"]!.AsObject().Count);

        var listed = await carol.JoinedChannelAsync(id);
        Assert.Equal(channel["read_receipt"].Long(bob.UserId), listed["read_receipt"].Long(bob.UserId));
        Assert.Equal(0, listed["unread"].Long(bob.UserId));

        // Reading again moves the receipt forward and still raises the event.
        await Task.Delay(5);
        mark = Server.Mark();
        await bob.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/messages/read");
        var again = Server.Events.Since(mark).Single("group:channel_message_read_event");
        Assert.True(JsonNode.Parse(again.PayloadBytes)!["channel"]!["read_receipt"].Long(bob.UserId) > channel["read_receipt"].Long(bob.UserId));
    }

    [Fact]
    public async Task Delivered_sets_the_delivery_receipt_and_raises_the_delivered_event()
    {
        var (alice, bob, carol, id) = await Setup();
        await alice.SendTextAsync(id, "one");
        var (channel, before, _) = await MarkAsync(carol, id, "delivered");
        Assert.InRange(channel["delivery_receipt"].Long(carol.UserId), before, Api.NowMs);
        Assert.Equal(0, channel["delivery_receipt"].Long(bob.UserId));
        Assert.True(channel.Has("read_receipt"));
        // Delivery does not read: unread unchanged.
        Assert.Equal(1, channel["unread"].Long(carol.UserId));
        var listed = await bob.JoinedChannelAsync(id);
        Assert.Equal(channel["delivery_receipt"].Long(carol.UserId), listed["delivery_receipt"].Long(carol.UserId));
        Assert.Equal(0, listed["read_receipt"].Long(carol.UserId));
    }

    [Fact]
    public async Task Receipts_are_for_members()
    {
        var (_, _, _, id) = await Setup();
        var eve = (await Server.NewUsersAsync("eve"))[0];
        var mark = Server.Mark();
        await eve.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/messages/read", null, 403, 1008);
        await eve.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/messages/delivered", null, 403, 1008);
        await eve.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{Api.NewId("none")}/messages/read", null, 404, 1003);
        await eve.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{Api.NewId("none")}/messages/delivered", null, 404, 1003);
        Assert.Empty(Server.Events.Since(mark));
    }
}
