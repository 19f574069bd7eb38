using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests.Webhooks;

/// <summary><c>GitpleLive:Webhooks:EnableDispatcher=false</c>: a node that stores deliveries and leaves sending them to others.</summary>
public sealed class WebhookDispatcherSwitchTests
{
    [Fact]
    public async Task A_node_that_does_not_deliver_stores_its_deliveries_for_a_node_that_does()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gitplelive-tests", "hooks-" + Guid.NewGuid().ToString("N")[..12]);
        await using var receiver = await WebhookReceiver.StartAsync(WebhookTestKit.Secret);
        var quietSettings = WebhookTestKit.ShortSettings();
        quietSettings["GitpleLive:Webhooks:EnableDispatcher"] = "false";
        await using var quiet = await TestServer.StartAsync(quietSettings, dataDirectory: dir);
        await quiet.Platform.PutJsonAsync("/v1/app/webhooks",
            new { url = receiver.Url, secret = WebhookTestKit.Secret, categories = new[] { "group:message_send" } });
        var u = await quiet.NewUsersAsync("alice", "bob");
        var channel = await u[0].NewChannelAsync(u[1]);
        var id = (await u[0].SendTextAsync(channel, "stored here, sent elsewhere")).Long("message_id");
        // Stored with the send (the log has it), and never attempted by this node: its poll interval passes and passes.
        for (var i = 0; i < 5; i++)
        {
            var log = (await quiet.Platform.GetJsonAsync("/v1/app/webhooks/deliveries"))!["deliveries"]!.AsArray();
            var entry = Assert.Single(log);
            Assert.Equal("pending", entry!["status"]!.GetValue<string>());
            Assert.Equal(0, entry["attempts"]!.GetValue<int>());
            await Task.Delay(250);
        }
        Assert.Empty(receiver.Attempts);
        await quiet.StopAsync();

        // A delivering node on the same store sends it.
        await using var worker = await TestServer.StartAsync(WebhookTestKit.ShortSettings(), dataDirectory: dir);
        var got = await receiver.WaitForAsync("group:message_send", b => b["message"]?["message_id"]?.GetValue<long>() == id);
        Assert.Equal(channel, got.Body["channel"]!["channel_id"]!.GetValue<string>());
        Assert.Single(receiver.Accepted);
    }
}
