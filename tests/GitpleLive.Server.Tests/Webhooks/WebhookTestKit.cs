using System.Text.Json.Nodes;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests.Webhooks;

/// <summary>A server with short webhook settings and a local receiver set as the app's webhook URL.</summary>
public sealed class WebhookTestKit : IAsyncDisposable
{
    public const string Secret = "test-secret-0123456789-abcdef";

    public required TestServer Server { get; init; }
    public required WebhookReceiver Receiver { get; init; }

    public static Dictionary<string, string?> ShortSettings() => new()
    {
        ["GitpleLive:Webhooks:FirstRetryDelay"] = "00:00:00.200",
        ["GitpleLive:Webhooks:MaxRetryDelay"] = "00:00:00.400",
        ["GitpleLive:Webhooks:AttemptTimeout"] = "00:00:01",
        ["GitpleLive:Webhooks:PollInterval"] = "00:00:00.200",
    };

    /// <summary>Starts both; <paramref name="categories"/> null leaves the server's default (<c>*</c>).</summary>
    public static async Task<WebhookTestKit> StartAsync(Dictionary<string, string?>? settings = null, string[]? categories = null)
    {
        var all = ShortSettings();
        foreach (var (k, v) in settings ?? []) all[k] = v;
        var server = await TestServer.StartAsync(all);
        var receiver = await WebhookReceiver.StartAsync(Secret);
        object body = categories is null ? new { url = receiver.Url, secret = Secret } : new { url = receiver.Url, secret = Secret, categories };
        await server.Platform.PutJsonAsync("/v1/app/webhooks", body);
        return new WebhookTestKit { Server = server, Receiver = receiver };
    }

    /// <summary>The delivery log, newest first.</summary>
    public async Task<JsonArray> DeliveriesAsync(int limit = 100) =>
        (await Server.Platform.GetJsonAsync($"/v1/app/webhooks/deliveries?limit={limit}"))!["deliveries"]!.AsArray();

    /// <summary>Waits until the log entry of <paramref name="deliveryId"/> matches <paramref name="done"/>.</summary>
    public async Task<JsonNode> WaitForLogAsync(string deliveryId, Func<JsonNode, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var entry = (await DeliveriesAsync()).FirstOrDefault(d => d!["delivery_id"]!.GetValue<string>() == deliveryId);
            if (entry is not null && done(entry)) return entry;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"log entry {deliveryId}: {entry?.ToJsonString() ?? "none"}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}
