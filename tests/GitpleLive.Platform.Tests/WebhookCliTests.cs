using System.Text;
using GitpleLive.Chat;
using GitpleLive.TestHost;

namespace GitpleLive.Platform.Tests;

/// <summary>Webhooks through <see cref="PlatformClient"/> and <c>gitplelive webhooks</c>, against a local receiver.</summary>
[Collection(ConsoleCollection.Name)]
public class WebhookCliTests : ServerTest
{
    private const string Secret = "cli-webhook-secret-0123456789";

    private Task<int> RunAsync(params string[] args) =>
        Cli.Cli.Build().Parse([.. args, "--host", Server.Host, "--app-id", Server.AppId, "--api-key", Server.ApiKey]).InvokeAsync();

    [Fact]
    public async Task The_cli_sets_shows_pings_and_lists_deliveries()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        Assert.Null((await Client.GetWebhookSettingsAsync()).Url);
        Assert.Equal(1, await RunAsync("webhooks", "ping")); // off: refused with 1001
        Assert.Equal(1, await RunAsync("webhooks", "set", "--url", "ftp://nowhere", "--secret", Secret));

        Assert.Equal(0, await RunAsync("webhooks", "set", "--url", receiver.Url, "--secret", Secret,
            "--categories", "group:message_send,user_create"));
        var settings = await Client.GetWebhookSettingsAsync();
        Assert.Equal(receiver.Url, settings.Url);
        Assert.Equal(["group:message_send", "user_create"], settings.Categories);
        Assert.DoesNotContain(Secret, settings.Secret);
        Assert.Equal(0, await RunAsync("webhooks", "show"));

        Assert.Equal(0, await RunAsync("webhooks", "ping"));
        var ping = await receiver.WaitForAsync("webhook:ping");
        await Client.CreateUserAsync("hooked", "Hooked");
        var created = await receiver.WaitForAsync("user_create");
        Assert.Equal("hooked", created.Body["user"]!["user_id"]!.GetValue<string>());

        // The app backend's own check of a delivery, with the Platform package's verifier.
        var signature = created.Signature;
        Assert.True(WebhookVerifier.Verify(Secret, created.Timestamp.ToString(), Encoding.UTF8.GetBytes(created.Raw), signature));
        Assert.False(WebhookVerifier.Verify("another-secret-0123456789", created.Timestamp.ToString(), Encoding.UTF8.GetBytes(created.Raw),
            signature));
        Assert.False(WebhookVerifier.Verify(Secret, created.Timestamp.ToString(), Encoding.UTF8.GetBytes(created.Raw + " "), signature));
        Assert.False(WebhookVerifier.Verify(Secret, (created.Timestamp - 3_600_000).ToString(), Encoding.UTF8.GetBytes(created.Raw),
            signature));

        IReadOnlyList<WebhookDelivery> log = [];
        for (var i = 0; i < 100 && log.Count(d => d.Status == "delivered") < 2; i++)
        {
            log = await Client.GetWebhookDeliveriesAsync(10);
            await Task.Delay(100);
        }
        Assert.Equal(["user_create", "webhook:ping"], log.Select(d => d.Category));
        Assert.Equal(ping.DeliveryId, log[1].DeliveryId);
        Assert.All(log, d => Assert.Equal(1, d.Attempts));
        Assert.Equal(0, await RunAsync("webhooks", "deliveries", "--limit", "5"));
        Assert.Equal(1, await RunAsync("webhooks", "deliveries", "--limit", "0"));

        Assert.Equal(0, await RunAsync("webhooks", "off"));
        Assert.Null((await Client.GetWebhookSettingsAsync()).Url);
        Assert.Equal(1001, (await Assert.ThrowsAsync<GitpleLiveException>(() => Client.PingWebhookAsync())).Code);
    }
}
