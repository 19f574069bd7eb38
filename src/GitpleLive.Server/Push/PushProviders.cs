using System.Text.Json.Nodes;

namespace GitpleLive.Server.Push;

/// <summary>One device to push to.</summary>
public sealed record PushTarget(string UserId, string Token, string Platform);

/// <summary>What every device of one message gets: PROTOCOL §10's title, body and data (the event payload as JSON).</summary>
public sealed record PushNotification(string AppId, string ChannelId, long MessageId, string Title, string Body, string Payload)
{
    /// <summary>FCM data and APNs payloads are limited to 4 KiB: past this, <see cref="Data"/> is the slim payload.</summary>
    private const int MaxPayloadBytes = 3000;

    private string? _data;

    /// <summary>The event payload, or — when it is too large for a push — the same without the message's text, meta and file.</summary>
    public string Data => _data ??= System.Text.Encoding.UTF8.GetByteCount(Payload) <= MaxPayloadBytes ? Payload : Slim(Payload);

    private static string Slim(string payload)
    {
        var node = JsonNode.Parse(payload)!.AsObject();
        if (node["channel"] is JsonObject channel) channel.Remove("meta");
        if (node["message"] is JsonObject message)
        {
            foreach (var key in new[] { "content", "meta", "file", "filter", "reactions", "mentioned_user_ids" }) message.Remove(key);
            if (message["user"] is JsonObject user) { user.Remove("meta"); user.Remove("profile_url"); }
        }
        return node.ToJsonString();
    }
}

public enum PushOutcome
{
    /// <summary>The provider took it.</summary>
    Sent,
    /// <summary>The provider says the token is dead: it is removed.</summary>
    InvalidToken,
    /// <summary>A transient failure (timeout, 429, 5xx, connection): tried again later.</summary>
    Retry,
    /// <summary>A failure that retrying cannot fix (our settings, a refused request): given up and logged.</summary>
    Failed,
}

public readonly record struct PushResult(PushOutcome Outcome, string? Error = null)
{
    public static readonly PushResult Sent = new(PushOutcome.Sent);
}

/// <summary>A push provider (FCM, APNs, the app's webhook). Implementations are singletons and thread-safe.</summary>
public interface IPushProvider
{
    /// <summary><c>fcm</c>, <c>apns</c> or <c>webhook</c>.</summary>
    string Name { get; }

    /// <summary>Pushes one notification to one device with the app's settings. Never throws for a provider's failure.</summary>
    Task<PushResult> SendAsync(PushConfig config, PushTarget target, PushNotification notification, CancellationToken cancellationToken);
}

/// <summary>Which provider a device's push goes through.</summary>
public static class PushRouting
{
    /// <summary>
    /// iOS tokens go to APNs, every other platform's to FCM (which also serves iOS apps that use FCM); when that provider
    /// is not configured, the webhook provider takes the push, if any. Null: this device cannot be reached.
    /// </summary>
    public static string? ProviderFor(PushConfig config, string platform)
    {
        if (platform == "ios")
        {
            if (config.Apns is not null) return "apns";
            if (config.Fcm is not null) return "fcm";
        }
        else if (config.Fcm is not null) return "fcm";
        return config.Webhook is not null ? "webhook" : null;
    }

    /// <summary>A retry outcome for an HTTP status: 429 and 5xx are transient.</summary>
    public static bool IsTransient(System.Net.HttpStatusCode status) => (int)status is 408 or 429 or >= 500;
}
