using System.Collections.Concurrent;

namespace GitpleLive.Server.Tests.Webhooks;

/// <summary>Failures: a refused signature, a 500 and a timeout are retried and logged; a delivery failing too long is given up.</summary>
public class WebhookRetryTests
{
    [Fact]
    public async Task A_receiver_refusing_the_signature_gets_the_delivery_again_until_the_secrets_agree()
    {
        await using var kit = await WebhookTestKit.StartAsync();
        kit.Receiver.Secret = "not-the-apps-secret-0123456789";
        var alice = await kit.Server.SdkUserAsync("alice");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "sig", name = "n" });
        await WebhookDeliveryTests.WaitUntilAsync(() =>
            kit.Receiver.Attempts.Count(a => a is { Status: 401, Category: "group:channel_create" }) >= 2);
        Assert.Empty(kit.Receiver.Accepted);
        var refused = kit.Receiver.Attempts.First(a => a is { Status: 401, Category: "group:channel_create" });
        var pending = await kit.WaitForLogAsync(refused.DeliveryId, d => d["attempts"]!.GetValue<int>() >= 1);
        Assert.Equal("pending", pending["status"]!.GetValue<string>());
        Assert.Equal("HTTP 401", pending["last_error"]!.GetValue<string>());
        Assert.Equal(401, pending["last_status"]!.GetValue<int>());
        Assert.NotNull(pending["next_attempt_at"]);

        kit.Receiver.Secret = WebhookTestKit.Secret;
        var accepted = await kit.Receiver.WaitForAsync("group:channel_create");
        Assert.Equal(refused.DeliveryId, accepted.DeliveryId);
        var done = await kit.WaitForLogAsync(refused.DeliveryId, d => d["status"]!.GetValue<string>() == "delivered");
        Assert.True(done["attempts"]!.GetValue<int>() >= 3);
        Assert.Equal(200, done["last_status"]!.GetValue<int>());
        Assert.Equal("HTTP 401", done["last_error"]!.GetValue<string>()); // the last failure stays readable
    }

    [Fact]
    public async Task A_500_and_a_timeout_are_retried_then_delivered()
    {
        await using var kit = await WebhookTestKit.StartAsync();
        var seen = new ConcurrentDictionary<string, int>();
        kit.Receiver.Respond = body =>
        {
            var content = body["message"]?["content"]?.GetValue<string>();
            var first = seen.AddOrUpdate(body["delivery_id"]!.GetValue<string>(), 1, (_, n) => n + 1) == 1;
            return (content, first) switch
            {
                ("five hundred", true) => (500, TimeSpan.Zero),
                ("slow", true) => (200, TimeSpan.FromSeconds(5)), // past the 1 s attempt timeout
                _ => (200, TimeSpan.Zero),
            };
        };
        var alice = await kit.Server.SdkUserAsync("alice");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "r1", name = "n" });
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "r2", name = "n" });
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels/r1/messages", new { type = "text", content = "five hundred" });
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels/r2/messages", new { type = "text", content = "slow" });

        var failed = await kit.Receiver.WaitForAsync("group:message_send", b => b["message"]!["content"]!.GetValue<string>() == "five hundred");
        var slow = await kit.Receiver.WaitForAsync("group:message_send", b => b["message"]!["content"]!.GetValue<string>() == "slow");
        var a = await kit.WaitForLogAsync(failed.DeliveryId, d => d["status"]!.GetValue<string>() == "delivered");
        Assert.Equal(2, a["attempts"]!.GetValue<int>());
        Assert.Equal("HTTP 500", a["last_error"]!.GetValue<string>());
        var b = await kit.WaitForLogAsync(slow.DeliveryId, d => d["status"]!.GetValue<string>() == "delivered");
        Assert.Equal(2, b["attempts"]!.GetValue<int>());
        Assert.StartsWith("no answer within 1 s", b["last_error"]!.GetValue<string>());
        Assert.Equal(1, kit.Receiver.Accepted.Count(r => r.DeliveryId == slow.DeliveryId));
    }

    [Fact]
    public async Task A_delivery_failing_past_the_give_up_time_is_logged_failed_and_its_channel_moves_on()
    {
        await using var kit = await WebhookTestKit.StartAsync(new() { ["GitpleLive:Webhooks:GiveUpAfter"] = "00:00:01.500" });
        kit.Receiver.Respond = body => body["message"]?["content"]?.GetValue<string>() == "doomed" ? (503, TimeSpan.Zero) : (200, TimeSpan.Zero);
        var alice = await kit.Server.SdkUserAsync("alice");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "gu", name = "n" });
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels/gu/messages", new { type = "text", content = "doomed" });
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels/gu/messages", new { type = "text", content = "after" });

        await kit.Receiver.WaitForAsync("group:message_send", b => b["message"]!["content"]!.GetValue<string>() == "after");
        var doomed = kit.Receiver.Attempts.First(a => a.Status == 503);
        var entry = await kit.WaitForLogAsync(doomed.DeliveryId, d => d["status"]!.GetValue<string>() == "failed");
        Assert.True(entry["attempts"]!.GetValue<int>() >= 2);
        Assert.Equal("HTTP 503", entry["last_error"]!.GetValue<string>());
        Assert.NotNull(entry["finished_at"]);
        Assert.DoesNotContain(kit.Receiver.Accepted, r => r.DeliveryId == doomed.DeliveryId);
        // Given up before "after" was tried.
        var attempts = kit.Receiver.Attempts.Where(a => a.Category == "group:message_send").ToList();
        Assert.True(attempts.FindLastIndex(a => a.DeliveryId == doomed.DeliveryId)
            < attempts.FindIndex(a => a.Body["message"]!["content"]!.GetValue<string>() == "after"));
    }
}
