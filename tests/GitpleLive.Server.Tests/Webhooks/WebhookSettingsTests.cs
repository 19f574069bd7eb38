using GitpleLive.Server.Services;
using GitpleLive.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitpleLive.Server.Tests.Webhooks;

/// <summary>The Platform API's webhook routes: settings and their validation, the log, a ping, isolation, refusals.</summary>
public class WebhookSettingsTests
{
    [Fact]
    public async Task Settings_are_checked_field_by_field_and_the_secret_is_never_shown()
    {
        await using var server = await TestServer.StartAsync(WebhookTestKit.ShortSettings());
        var p = server.Platform;
        var off = await p.GetJsonAsync("/v1/app/webhooks");
        Assert.Null(off!["url"]);
        Assert.Empty(off["categories"]!.AsArray());

        const string path = "/v1/app/webhooks";
        const string secret = "a-long-enough-secret-1234";
        await p.ExpectInvalidAsync(HttpMethod.Put, path, new { secret }, "url");
        await p.ExpectInvalidAsync(HttpMethod.Put, path, new { url = "ftp://example.com/hook", secret }, "url");
        await p.ExpectInvalidAsync(HttpMethod.Put, path, new { url = "/relative", secret }, "url");
        await p.ExpectInvalidAsync(HttpMethod.Put, path, new { url = "http://user:pw@example.com/hook", secret }, "url");
        await p.ExpectInvalidAsync(HttpMethod.Put, path, new { url = "https://example.com/hook" }, "secret");
        await p.ExpectInvalidAsync(HttpMethod.Put, path, new { url = "https://example.com/hook", secret = "short" }, "secret");
        await p.ExpectInvalidAsync(HttpMethod.Put, path, new { url = "https://example.com/hook", secret, categories = new[] { "nope" } },
            "categories");
        await p.ExpectInvalidAsync(HttpMethod.Put, path, new { url = "https://example.com/hook", secret, categories = "*" }, "categories");
        await p.ExpectInvalidAsync(HttpMethod.Put, path, new { url = "https://example.com/hook", secret, categories = Array.Empty<string>() },
            "categories");
        await p.ExpectInvalidAsync(HttpMethod.Put, path, new { url = "https://example.com/hook", secret,
            categories = new[] { "group:typing_start" } }, "categories");
        Assert.Null((await p.GetJsonAsync(path))!["url"]); // nothing half-written

        var set = await p.PutJsonAsync(path, new { url = "https://example.com/hook", secret, categories = new[] { "user_create", "*" } });
        Assert.Equal("https://example.com/hook", set!["url"]!.GetValue<string>());
        Assert.Equal(["*"], set["categories"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal("****1234", set["secret"]!.GetValue<string>());
        // Later changes may leave the secret out: it is kept.
        var moved = await p.PutJsonAsync(path, new { url = "https://example.com/other" });
        Assert.Equal("****1234", moved!["secret"]!.GetValue<string>());
        var shown = (await p.GetJsonAsync(path))!.ToJsonString();
        Assert.DoesNotContain(secret, shown);
        Assert.Contains("https://example.com/other", shown);

        await p.DeleteJsonAsync(path);
        Assert.Null((await p.GetJsonAsync(path))!["url"]);
        await p.ExpectInvalidAsync(HttpMethod.Post, path + "/ping", null, "url");
        await p.ExpectInvalidAsync(HttpMethod.Get, path + "/deliveries?limit=0", null, "limit");
        await p.ExpectInvalidAsync(HttpMethod.Get, path + "/deliveries?limit=abc", null, "limit");
    }

    [Fact]
    public async Task A_ping_is_delivered_signed_and_shows_in_the_log()
    {
        await using var kit = await WebhookTestKit.StartAsync(categories: ["group:message_send"]);
        var ping = await kit.Server.Platform.PostJsonAsync("/v1/app/webhooks/ping", null);
        var id = ping!["delivery_id"]!.GetValue<string>();
        var got = await kit.Receiver.WaitForAsync("webhook:ping");
        Assert.Equal(id, got.DeliveryId);
        Assert.Equal(kit.Server.AppId, got.Body["app_id"]!.GetValue<string>());
        Assert.InRange(got.Timestamp, Api.NowMs - 60_000, Api.NowMs); // the signed header's time

        var entry = await kit.WaitForLogAsync(id, d => d["status"]!.GetValue<string>() == "delivered");
        Assert.Equal("webhook:ping", entry["category"]!.GetValue<string>());
        Assert.Equal(1, entry["attempts"]!.GetValue<int>());
        Assert.Null(entry["last_error"]);
        Assert.NotNull(entry["created_at"]);
        Assert.NotNull(entry["last_attempt_at"]);
        Assert.NotNull(entry["finished_at"]);

        await kit.Server.Platform.PostJsonAsync("/v1/app/webhooks/ping", null);
        await kit.Receiver.WaitAsync(all => all.Count == 2);
        var one = await kit.DeliveriesAsync(limit: 1);
        Assert.NotEqual(id, Assert.Single(one)!["delivery_id"]!.GetValue<string>()); // newest first
    }

    [Fact]
    public async Task Old_log_entries_are_pruned()
    {
        await using var kit = await WebhookTestKit.StartAsync(new() { ["GitpleLive:Webhooks:LogRetention"] = "00:00:01" });
        var id = (await kit.Server.Platform.PostJsonAsync("/v1/app/webhooks/ping", null))!["delivery_id"]!.GetValue<string>();
        await kit.WaitForLogAsync(id, d => d["status"]!.GetValue<string>() == "delivered");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await kit.DeliveriesAsync()).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the delivered entry was never pruned");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Another_apps_webhooks_and_deliveries_are_invisible_and_sdk_callers_are_refused()
    {
        await using var kit = await WebhookTestKit.StartAsync();
        var otherId = "other-" + Guid.NewGuid().ToString("N")[..8];
        await kit.Server.Services.GetRequiredService<AppService>().CreateAsync(otherId, "second", "key-" + otherId, allowTokenless: false);
        using var other = new HttpClient { BaseAddress = new Uri(kit.Server.BaseUrl) };
        other.DefaultRequestHeaders.Add("APP_ID", otherId);
        other.DefaultRequestHeaders.Add("APP_API_KEY", "key-" + otherId);
        await using var otherReceiver = await WebhookReceiver.StartAsync(WebhookTestKit.Secret);

        Assert.Null((await other.GetJsonAsync("/v1/app/webhooks"))!["url"]);
        var id = (await kit.Server.Platform.PostJsonAsync("/v1/app/webhooks/ping", null))!["delivery_id"]!.GetValue<string>();
        await kit.Receiver.WaitForAsync("webhook:ping");
        Assert.Empty((await other.GetJsonAsync("/v1/app/webhooks/deliveries"))!["deliveries"]!.AsArray());

        await other.PutJsonAsync("/v1/app/webhooks", new { url = otherReceiver.Url, secret = WebhookTestKit.Secret });
        await other.PostJsonAsync("/v1/users", new { user_id = "stranger", name = "s" });
        await otherReceiver.WaitForAsync("user_create");
        var alice = await kit.Server.SdkUserAsync("alice");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "mine", name = "n" });
        await kit.Receiver.WaitForAsync("group:channel_create");
        Assert.All(kit.Receiver.Accepted, r => Assert.Equal(kit.Server.AppId, r.Body["app_id"]!.GetValue<string>()));
        Assert.All(otherReceiver.Accepted, r => Assert.Equal(otherId, r.Body["app_id"]!.GetValue<string>()));
        Assert.DoesNotContain(otherReceiver.Accepted, r => r.DeliveryId == id);
        var theirs = (await other.GetJsonAsync("/v1/app/webhooks/deliveries"))!["deliveries"]!.AsArray();
        Assert.Equal(["user_create"], theirs.Select(d => d!["category"]!.GetValue<string>()));
        Assert.Equal(otherReceiver.Url, (await other.GetJsonAsync("/v1/app/webhooks"))!["url"]!.GetValue<string>());
        Assert.Equal(kit.Receiver.Url, (await kit.Server.Platform.GetJsonAsync("/v1/app/webhooks"))!["url"]!.GetValue<string>());

        // An SDK user's credentials are not the Platform API's, and the SDK API has no such routes.
        await alice.Http.ExpectErrorAsync(HttpMethod.Get, "/v1/app/webhooks", null, 401, 4003);
        await alice.Http.ExpectErrorAsync(HttpMethod.Put, "/v1/app/webhooks", new { url = "http://127.0.0.1:1/x" }, 401, 4003);
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, "/v1/app/webhooks/ping", null, 401, 4003);
        await alice.Http.ExpectErrorAsync(HttpMethod.Get, "/v1/app/webhooks/deliveries", null, 401, 4003);
        await alice.Http.ExpectErrorAsync(HttpMethod.Get, "/v1/sdk/app/webhooks", null, 404, 1002);
        await alice.Http.ExpectErrorAsync(HttpMethod.Get, "/v1/sdk/app/webhooks/deliveries", null, 404, 1002);
        // A wrong key is refused too.
        using var wrong = new HttpClient { BaseAddress = new Uri(kit.Server.BaseUrl) };
        wrong.DefaultRequestHeaders.Add("APP_ID", kit.Server.AppId);
        wrong.DefaultRequestHeaders.Add("APP_API_KEY", "key-" + otherId);
        await wrong.ExpectErrorAsync(HttpMethod.Get, "/v1/app/webhooks", null, 401, 4003);
    }

    [Fact]
    public async Task Turning_webhooks_off_stops_new_deliveries()
    {
        await using var kit = await WebhookTestKit.StartAsync();
        var alice = await kit.Server.SdkUserAsync("alice");
        await kit.Receiver.WaitForAsync("user_create");
        await kit.Server.Platform.DeleteJsonAsync("/v1/app/webhooks");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "quiet", name = "n" });
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels/quiet/messages", new { type = "text", content = "unheard" });
        await Task.Delay(1000);
        Assert.Equal(["user_create"], kit.Receiver.Accepted.Select(r => r.Category));
        Assert.Single(await kit.DeliveriesAsync());
    }

    [Fact]
    public async Task A_bad_webhook_setting_stops_the_server_at_start_naming_it()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestServer.StartAsync(new Dictionary<string, string?> { ["GitpleLive:Webhooks:AttemptTimeout"] = "00:00:00" }));
        Assert.Contains("GitpleLive:Webhooks:AttemptTimeout", error.Message);
        error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestServer.StartAsync(new Dictionary<string, string?> { ["GitpleLive:Webhooks:MaxConcurrencyPerApp"] = "0" }));
        Assert.Contains("GitpleLive:Webhooks:MaxConcurrencyPerApp", error.Message);
    }
}
