using GitpleLive.TestHost;
using System.Text.Json.Nodes;

namespace GitpleLive.Server.Tests.Webhooks;

/// <summary>What is delivered: every stored change once, with its category and fields, filtered by the app's categories, in order per channel.</summary>
public class WebhookDeliveryTests
{
    [Fact]
    public async Task Every_kind_of_change_is_delivered_once_with_its_category_and_fields_in_the_channels_order()
    {
        await using var kit = await WebhookTestKit.StartAsync();
        var (server, receiver) = (kit.Server, kit.Receiver);
        foreach (var id in new[] { "alice", "bob", "carol", "dave" }) await server.CreateUserAsync(id);
        var alice = await server.SdkUserAsync("alice");
        var bob = await server.SdkUserAsync("bob");
        var carol = await server.SdkUserAsync("carol");
        const string room = "/v1/sdk/group/channels/room";

        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "room", name = "Room", members = new[] { "bob" } });
        await carol.Http.PutJsonAsync(room + "/join");
        await server.Platform.PostJsonAsync("/v1/group/channels/room/members", new { members = new[] { "dave" } });
        await server.Platform.DeleteJsonAsync("/v1/group/channels/room/members", new { members = new[] { "dave" } });
        await carol.Http.PutJsonAsync(room + "/leave");
        await alice.Http.PostJsonAsync(room + "/managers", new { manager = "bob" });
        await alice.Http.DeleteJsonAsync(room + "/managers", new { manager = "bob" });
        var sent = await alice.Http.PostJsonAsync(room + "/messages", new { type = "text", content = "hello" });
        var messageId = sent!["message_id"]!.GetValue<long>();
        await alice.Http.PutJsonAsync($"{room}/messages/{messageId}/meta", new { meta = new { k = "v" } });
        await bob.Http.PostJsonAsync("/v1/sdk/reports",
            new { report_type = "message", report_category = "spam", channel_id = "room", message_id = messageId });
        await alice.Http.DeleteJsonAsync($"{room}/messages/{messageId}");
        await alice.Http.PostJsonAsync(room + "/ban", new { user_id = "carol", seconds = 60, reason = "rude" });
        await alice.Http.DeleteJsonAsync(room + "/ban/carol");
        await alice.Http.PutJsonAsync(room, new { name = "Room 2" });
        await alice.Http.PutJsonAsync(room + "/meta", new { meta = new { topic = "webhooks" } });
        await alice.Http.PutJsonAsync(room + "/freeze", new { freeze = true });
        await alice.Http.PutJsonAsync(room + "/freeze", new { freeze = false });
        await bob.Http.PutJsonAsync(room + "/messages/read");
        await server.Platform.PutJsonAsync("/v1/users/bob", new { name = "Bobby" });
        await alice.Http.DeleteJsonAsync(room);
        await server.Platform.DeleteJsonAsync("/v1/users/dave");

        string[] roomOrder =
        [
            "group:channel_create", "group:channel_join", "group:channel_join", "group:channel_leave", "group:channel_leave",
            "group:channel_manager_create", "group:channel_manager_delete", "group:message_send", "group:message_update",
            "group:report_create", "group:message_delete", "group:channel_ban", "group:channel_unban", "group:channel_update",
            "group:channel_update", "group:channel_freeze", "group:channel_unfreeze", "group:channel_message_read_event",
            "group:channel_delete",
        ];
        string[] userChanges = ["user_create", "user_create", "user_create", "user_create", "user_update", "user_delete"];
        var expected = roomOrder.Length + userChanges.Length;
        await receiver.WaitAsync(all => all.Count >= expected);
        await Task.Delay(1000); // anything delivered twice, or a twin event, would arrive meanwhile
        var got = receiver.Accepted;
        Assert.Equal(expected, got.Count);
        Assert.Equal(expected, got.Select(r => r.DeliveryId).Distinct().Count());
        Assert.All(got, r => Assert.Equal(server.AppId, r.Body["app_id"]!.GetValue<string>()));
        Assert.All(got, r => Assert.InRange(r.Body["timestamp"]!.GetValue<long>(), Api.NowMs - 120_000, Api.NowMs));
        Assert.All(got, r => Assert.Equal(r.DeliveryId, r.Body["delivery_id"]!.GetValue<string>()));
        // A body holds the §10 fields only (a ban's realtime payload also has "banInfo"; its body does not).
        string[] fields = ["delivery_id", "app_id", "category", "timestamp", "channel", "user", "message", "data"];
        Assert.All(got, r => Assert.All(r.Body.Select(kv => kv.Key), k => Assert.Contains(k, fields)));

        // The channel's changes arrive one at a time, in the order they were made.
        var inRoom = got.Where(r => r.Body["channel"]?["channel_id"]?.GetValue<string>() == "room").ToList();
        Assert.Equal(roomOrder, inRoom.Select(r => r.Category));
        Assert.Equal(userChanges.Order(), got.Where(r => r.Body["channel"] is null).Select(r => r.Category).Order());

        JsonObject One(string category) => Assert.Single(got, r => r.Category == category).Body;
        var create = One("group:channel_create");
        Assert.Equal(["alice", "bob"], create["data"]!["member_ids"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal(["alice"], create["data"]!["manager_ids"]!.AsArray().Select(x => x!.GetValue<string>()));
        Assert.Equal(["carol", "dave"], got.Where(r => r.Category == "group:channel_join")
            .Select(r => r.Body["user"]!["user_id"]!.GetValue<string>()));
        var send = One("group:message_send");
        Assert.Equal(messageId, send["message"]!["message_id"]!.GetValue<long>());
        Assert.Equal("hello", send["message"]!["content"]!.GetValue<string>());
        Assert.Equal("alice", send["message"]!["user"]!["user_id"]!.GetValue<string>());
        Assert.Equal("v", One("group:message_update")["message"]!["meta"]!["k"]!.GetValue<string>());
        Assert.Equal(messageId, One("group:message_delete")["message"]!["message_id"]!.GetValue<long>());
        Assert.Equal("spam", One("group:report_create")["data"]!["report_category"]!.GetValue<string>());
        var ban = One("group:channel_ban");
        Assert.Equal("carol", ban["user"]!["user_id"]!.GetValue<string>());
        Assert.Equal("rude", ban["data"]!["reason"]!.GetValue<string>());
        Assert.Null(ban["banInfo"]); // a realtime-only field for the mobile SDKs
        Assert.Equal("bob", One("group:channel_manager_create")["user"]!["user_id"]!.GetValue<string>());
        Assert.True(One("group:channel_freeze")["channel"]!["freeze"]!.GetValue<bool>());
        Assert.Equal("Bobby", One("user_update")["user"]!["name"]!.GetValue<string>());
        Assert.Equal("dave", One("user_delete")["user"]!["user_id"]!.GetValue<string>());
        Assert.Null(One("user_delete")["channel"]);
        Assert.Contains(got, r => r.Category == "group:channel_update"
            && r.Body["channel"]!["meta"]?["topic"]?.GetValue<string>() == "webhooks");

        // The log says the same: each delivered once, at the first attempt.
        var log = await kit.DeliveriesAsync();
        Assert.Equal(expected, log.Count);
        Assert.All(log, d => Assert.Equal("delivered", d!["status"]!.GetValue<string>()));
        Assert.All(log, d => Assert.Equal(1, d!["attempts"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Only_the_chosen_categories_are_delivered()
    {
        await using var kit = await WebhookTestKit.StartAsync(categories: ["group:message_send", "user_update"]);
        var alice = await kit.Server.SdkUserAsync("alice");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "pick", name = "n" });
        await alice.Http.PutJsonAsync("/v1/sdk/group/channels/pick", new { name = "renamed" });
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels/pick/messages", new { type = "text", content = "one" });
        await kit.Server.Platform.PutJsonAsync("/v1/users/alice", new { name = "Alice" });

        await kit.Receiver.WaitAsync(all => all.Count >= 2);
        await Task.Delay(1000);
        Assert.Equal(["group:message_send", "user_update"], kit.Receiver.Accepted.Select(r => r.Category).Order());
        Assert.Equal(2, (await kit.DeliveriesAsync()).Count);

        var settings = await kit.Server.Platform.GetJsonAsync("/v1/app/webhooks");
        Assert.Equal(["group:message_send", "user_update"], settings!["categories"]!.AsArray().Select(c => c!.GetValue<string>()));
    }

    [Fact]
    public async Task A_channels_deliveries_wait_for_a_failing_one_while_other_channels_go_on()
    {
        await using var kit = await WebhookTestKit.StartAsync();
        var (server, receiver) = (kit.Server, kit.Receiver);
        var failM3 = true;
        receiver.Respond = body => body["message"]?["content"]?.GetValue<string>() == "ord-3" && Volatile.Read(ref failM3)
            ? (500, TimeSpan.Zero)
            : (200, TimeSpan.Zero);
        var alice = await server.SdkUserAsync("alice");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "ord", name = "n" });
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "other", name = "n" });

        // Concurrent sends: message ids follow commit order, and so must the deliveries.
        await Task.WhenAll(Enumerable.Range(1, 10).Select(i =>
            alice.Http.PostJsonAsync("/v1/sdk/group/channels/ord/messages", new { type = "text", content = $"ord-{i}" })));
        await WaitUntilAsync(() => receiver.Attempts.Count(a => a.Status == 500) >= 2);

        // While ord-3 keeps failing, the other channel is delivered in parallel.
        await Task.WhenAll(Enumerable.Range(1, 10).Select(i =>
            alice.Http.PostJsonAsync("/v1/sdk/group/channels/other/messages", new { type = "text", content = $"other-{i}" })));
        await receiver.WaitAsync(all => all.Count(r => Channel(r) == "other" && r.Category == "group:message_send") == 10);
        Volatile.Write(ref failM3, false);
        await receiver.WaitAsync(all => all.Count(r => Channel(r) == "ord" && r.Category == "group:message_send") == 10);

        foreach (var channel in new[] { "ord", "other" })
        {
            var ids = receiver.Accepted.Where(r => Channel(r) == channel && r.Category == "group:message_send")
                .Select(r => r.Body["message"]!["message_id"]!.GetValue<long>()).ToList();
            Assert.Equal(10, ids.Count);
            Assert.Equal(ids.Order(), ids);
        }
        // Nothing after ord-3 in its channel was even tried before ord-3 went through.
        var ord = receiver.Attempts.Where(a => a.Category == "group:message_send" && a.Body["channel"]!["channel_id"]!.GetValue<string>() == "ord")
            .Select(a => (Content: a.Body["message"]!["content"]!.GetValue<string>(), a.Status)).ToList();
        var firstFailure = ord.FindIndex(a => a.Status == 500);
        var success = ord.FindIndex(a => a is { Content: "ord-3", Status: 200 });
        Assert.True(success - firstFailure >= 2, "ord-3 failed at least twice");
        Assert.All(ord[firstFailure..success], a => Assert.Equal(("ord-3", 500), a));
        Assert.Equal(10, ord.Count - (success - firstFailure));
    }

    private static string? Channel(WebhookReceiver.Received r) => r.Body["channel"]?["channel_id"]?.GetValue<string>();

    internal static async Task WaitUntilAsync(Func<bool> done, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the condition did not hold in time");
            await Task.Delay(50);
        }
    }
}

/// <summary>The message extensions: stored ones are delivered, typing (not stored) is not.</summary>
public class WebhookExtensionTests
{
    [Fact]
    public async Task Edits_reactions_and_replies_are_delivered_and_typing_is_not()
    {
        await using var kit = await WebhookTestKit.StartAsync();
        var alice = await kit.Server.SdkUserAsync("alice");
        const string ch = "/v1/sdk/group/channels/ext";
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "ext", name = "n" });
        await alice.Http.PutJsonAsync(ch + "/typing", new { typing = true });
        var id = (await alice.Http.PostJsonAsync(ch + "/messages", new { type = "text", content = "first" }))!["message_id"]!.GetValue<long>();
        await alice.Http.PutJsonAsync($"{ch}/messages/{id}", new { content = "edited" });
        await alice.Http.PostJsonAsync($"{ch}/messages/{id}/reactions", new { key = "👍" });
        await alice.Http.PostJsonAsync(ch + "/messages", new { type = "text", content = "a reply", parent_message_id = id });
        await alice.Http.PutJsonAsync(ch + "/typing", new { typing = false });

        // The channel's deliveries are in order: the last one is the reply's parent update.
        await kit.Receiver.WaitAsync(all => all.Count(r => r.Category == "group:message_update") >= 3);
        await Task.Delay(1000);
        var inChannel = kit.Receiver.Accepted.Where(r => r.Body["channel"] is not null).ToList();
        Assert.DoesNotContain(inChannel, r => r.Category.StartsWith("group:typing", StringComparison.Ordinal));
        Assert.Equal(["group:channel_create", "group:message_send", "group:message_update", "group:message_update", "group:message_send",
            "group:message_update"], inChannel.Select(r => r.Category));
        Assert.Equal("edited", inChannel[2].Body["message"]!["content"]!.GetValue<string>());
        Assert.NotNull(inChannel[2].Body["message"]!["edited_at"]);
        Assert.Equal("👍", inChannel[3].Body["message"]!["reactions"]![0]!["key"]!.GetValue<string>());
        Assert.Equal(id, inChannel[4].Body["message"]!["parent_message_id"]!.GetValue<long>());
        Assert.Equal(1, inChannel[5].Body["message"]!["reply_count"]!.GetValue<int>());
    }
}
