using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests.Webhooks;

/// <summary>Two nodes on one PostgreSQL store with Redis between them: each change is delivered once, in channel order.</summary>
public class WebhookMultiNodeTests
{
    [SkippableFact]
    public async Task Changes_made_on_either_node_are_delivered_once_each_in_channel_order()
    {
        var reason = await ExternalServices.PostgresAndRedisMissingAsync();
        Skip.If(reason is not null, reason);
        var db = await ExternalServices.CreatePostgresDatabaseAsync();
        var id = Guid.NewGuid().ToString("N")[..8];
        var settings = WebhookTestKit.ShortSettings();
        settings["GitpleLive:StorageProvider"] = "postgres";
        settings["GitpleLive:ConnectionString"] = db;
        settings["GitpleLive:Redis"] = ExternalServices.Redis;
        settings["GitpleLive:DefaultAppId"] = "hooks-" + id;
        settings["GitpleLive:DefaultApiKey"] = "key-" + id;
        settings["GitpleLive:Webhooks:OrderingDelay"] = "00:00:01";
        var a = await TestServer.StartAsync(settings);
        var b = await TestServer.StartAsync(settings);
        await using var receiver = await WebhookReceiver.StartAsync(WebhookTestKit.Secret);
        try
        {
            // Node B first learns the app has no webhooks; setting them on node A makes it forget that.
            await b.CreateUserAsync("bob");
            await Task.Delay(300);
            await a.Platform.PutJsonAsync("/v1/app/webhooks", new { url = receiver.Url, secret = WebhookTestKit.Secret });
            await b.Events.WaitForAsync(e => e.Category == "node:webhooks_changed");
            await Task.Delay(200);

            var alice = await a.SdkUserAsync("alice");
            var bob = await b.SdkUserAsync("bob");
            await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "both", name = "n", members = new[] { "bob" } });
            var sends = Enumerable.Range(1, 10).SelectMany(i => new[]
            {
                alice.Http.PostJsonAsync("/v1/sdk/group/channels/both/messages", new { type = "text", content = $"a-{i}" }),
                bob.Http.PostJsonAsync("/v1/sdk/group/channels/both/messages", new { type = "text", content = $"b-{i}" }),
            });
            var sent = (await Task.WhenAll(sends)).Select(m => m!["message_id"]!.GetValue<long>()).ToList();
            await b.Platform.PutJsonAsync("/v1/users/bob", new { name = "Bobby" });
            await b.Platform.PostJsonAsync("/v1/app/webhooks/ping", null);

            // alice's user_create, the channel, 20 messages, bob's update, the ping (bob was created before webhooks were on).
            const int expected = 1 + 1 + 20 + 1 + 1;
            await receiver.WaitAsync(all => all.Count >= expected, TimeSpan.FromSeconds(40));
            await Task.Delay(2000); // a second node delivering the same change would do so meanwhile
            var got = receiver.Accepted;
            Assert.Equal(expected, got.Count);
            Assert.Equal(expected, got.Select(r => r.DeliveryId).Distinct().Count());
            Assert.Equal(["alice"], got.Where(r => r.Category == "user_create").Select(r => r.Body["user"]!["user_id"]!.GetValue<string>()));
            var delivered = got.Where(r => r.Category == "group:message_send")
                .Select(r => r.Body["message"]!["message_id"]!.GetValue<long>()).ToList();
            Assert.Equal(sent.Order(), delivered.Order());
            Assert.Equal(delivered.Order(), delivered); // in message id order across both nodes
            Assert.Equal("group:channel_create", got.First(r => r.Body["channel"] is not null).Category);

            // Both nodes read one log.
            var fromA = (await a.Platform.GetJsonAsync("/v1/app/webhooks/deliveries?limit=100"))!["deliveries"]!.AsArray();
            var fromB = (await b.Platform.GetJsonAsync("/v1/app/webhooks/deliveries?limit=100"))!["deliveries"]!.AsArray();
            Assert.Equal(expected, fromA.Count);
            Assert.Equal(fromA.ToJsonString(), fromB.ToJsonString());
            Assert.All(fromA, d => Assert.Equal(1, d!["attempts"]!.GetValue<int>()));
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
            await ExternalServices.DropPostgresDatabaseAsync(db);
        }
    }

    [SkippableFact]
    public async Task Replies_made_on_either_node_are_delivered_each_before_its_parents_update_in_commit_order()
    {
        var reason = await ExternalServices.PostgresAndRedisMissingAsync();
        Skip.If(reason is not null, reason);
        var db = await ExternalServices.CreatePostgresDatabaseAsync();
        var id = Guid.NewGuid().ToString("N")[..8];
        var settings = WebhookTestKit.ShortSettings();
        settings["GitpleLive:StorageProvider"] = "postgres";
        settings["GitpleLive:ConnectionString"] = db;
        settings["GitpleLive:Redis"] = ExternalServices.Redis;
        settings["GitpleLive:DefaultAppId"] = "replies-" + id;
        settings["GitpleLive:DefaultApiKey"] = "key-" + id;
        settings["GitpleLive:Webhooks:OrderingDelay"] = "00:00:01";
        var a = await TestServer.StartAsync(settings);
        var b = await TestServer.StartAsync(settings);
        await using var receiver = await WebhookReceiver.StartAsync(WebhookTestKit.Secret);
        try
        {
            await a.CreateUserAsync("bob");
            await a.Platform.PutJsonAsync("/v1/app/webhooks", new
            {
                url = receiver.Url, secret = WebhookTestKit.Secret, categories = new[] { "group:message_send", "group:message_update" },
            });
            await b.Events.WaitForAsync(e => e.Category == "node:webhooks_changed");
            var alice = await a.SdkUserAsync("alice");
            var bob = await b.SdkUserAsync("bob");
            await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "thread", name = "n", members = new[] { "bob" } });
            const string messages = "/v1/sdk/group/channels/thread/messages";
            var parent = (await alice.Http.PostJsonAsync(messages, new { type = "text", content = "parent" }))!["message_id"]!
                .GetValue<long>();
            // Replies take the send's split path (checks before the insert, the parent's counters after it).
            var replies = Enumerable.Range(1, 6).SelectMany(i => new[]
            {
                alice.Http.PostJsonAsync(messages, new { type = "text", content = $"a-{i}", parent_message_id = parent }),
                bob.Http.PostJsonAsync(messages, new { type = "text", content = $"b-{i}", parent_message_id = parent }),
            });
            var sent = (await Task.WhenAll(replies)).Select(m => m!["message_id"]!.GetValue<long>()).ToList();

            const int expected = 1 + 12 + 12;
            await receiver.WaitAsync(all => all.Count >= expected, TimeSpan.FromSeconds(40));
            var got = receiver.Accepted;
            Assert.Equal(expected, got.Count);
            var sends = got.Where(r => r.Category == "group:message_send").Select(r => r.Body["message"]!["message_id"]!.GetValue<long>())
                .ToList();
            Assert.Equal([parent, .. sent.Order()], sends); // in message id order across both nodes
            // Each reply, then its parent's reply_count (1, 2, … in commit order), whichever node stored it.
            var counts = got.Where(r => r.Category == "group:message_update")
                .Select(r => r.Body["message"]!["reply_count"]!.GetValue<long>()).ToList();
            Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), counts);
            var order = got.Select(r => r.Category == "group:message_send" ? "send" : "update").Skip(1).ToList();
            Assert.Equal(Enumerable.Range(0, 12).SelectMany(_ => new[] { "send", "update" }), order);
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
            await ExternalServices.DropPostgresDatabaseAsync(db);
        }
    }
}
