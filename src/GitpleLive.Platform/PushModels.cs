using System.Text.Json.Serialization;

namespace GitpleLive.Platform;

/// <summary>An app's push providers as the server shows them (GET <c>/v1/app/push</c>); secrets are never shown.</summary>
public sealed class PushSettings
{
    /// <summary>Firebase Cloud Messaging, or null when not configured.</summary>
    public FcmPushSettings? Fcm { get; init; }
    /// <summary>Apple Push Notification service, or null when not configured.</summary>
    public ApnsPushSettings? Apns { get; init; }
    /// <summary>The webhook provider (the app's own URL), or null when not configured.</summary>
    public WebhookPushSettings? Webhook { get; init; }
}

/// <summary>FCM HTTP v1 settings (the service account key is write-only).</summary>
public sealed class FcmPushSettings
{
    /// <summary>The Firebase project id.</summary>
    public string ProjectId { get; init; } = "";
    /// <summary>The service account's email (from its key), to tell keys apart.</summary>
    public string? ClientEmail { get; init; }
    /// <summary>The send endpoint, when not Google's.</summary>
    public string? Endpoint { get; init; }
    /// <summary>The OAuth2 token endpoint, when not the key's <c>token_uri</c>.</summary>
    public string? TokenEndpoint { get; init; }
}

/// <summary>APNs token-auth settings (the .p8 key is write-only).</summary>
public sealed class ApnsPushSettings
{
    /// <summary>The Apple developer team id.</summary>
    public string TeamId { get; init; } = "";
    /// <summary>The id of the .p8 key.</summary>
    public string KeyId { get; init; } = "";
    /// <summary>The app's bundle id (the <c>apns-topic</c>).</summary>
    public string BundleId { get; init; } = "";
    /// <summary>Production (true) or sandbox (false) APNs.</summary>
    public bool Production { get; init; }
    /// <summary>The APNs base URL, when not Apple's.</summary>
    public string? Endpoint { get; init; }
}

/// <summary>The webhook push provider's settings (the secret is write-only).</summary>
public sealed class WebhookPushSettings
{
    /// <summary>Where each push is POSTed, signed with the secret.</summary>
    public string Url { get; init; } = "";
}

/// <summary>
/// A change to an app's push providers: a provider left null is unchanged, one named in <see cref="Remove"/> is deleted.
/// Within a provider, null fields keep their stored value — so a secret need not be sent again.
/// </summary>
public sealed class PushSettingsUpdate
{
    /// <summary>FCM settings to set or change.</summary>
    public FcmPushUpdate? Fcm { get; init; }
    /// <summary>APNs settings to set or change.</summary>
    public ApnsPushUpdate? Apns { get; init; }
    /// <summary>Webhook provider settings to set or change.</summary>
    public WebhookPushUpdate? Webhook { get; init; }
    /// <summary>Providers to delete: <c>fcm</c>, <c>apns</c>, <c>webhook</c>.</summary>
    public IReadOnlyList<string> Remove { get; init; } = [];
}

/// <summary>FCM settings to set; null keeps the stored value.</summary>
public sealed class FcmPushUpdate
{
    /// <summary>The Firebase project id (default: the key's <c>project_id</c>).</summary>
    public string? ProjectId { get; init; }
    /// <summary>The service account key: the JSON file's text.</summary>
    public string? ServiceAccountJson { get; init; }
    /// <summary>The send endpoint (<c>{project_id}</c> is filled in); empty returns to Google's.</summary>
    public string? Endpoint { get; init; }
    /// <summary>The OAuth2 token endpoint; empty returns to the key's <c>token_uri</c>.</summary>
    public string? TokenEndpoint { get; init; }
}

/// <summary>APNs settings to set; null keeps the stored value.</summary>
public sealed class ApnsPushUpdate
{
    /// <summary>The Apple developer team id.</summary>
    public string? TeamId { get; init; }
    /// <summary>The id of the .p8 key.</summary>
    public string? KeyId { get; init; }
    /// <summary>The app's bundle id.</summary>
    public string? BundleId { get; init; }
    /// <summary>The .p8 key: the file's PEM text.</summary>
    public string? P8Pem { get; init; }
    /// <summary>Production (true) or sandbox (false); required when APNs is first set.</summary>
    public bool? Production { get; init; }
    /// <summary>The APNs base URL; empty returns to Apple's.</summary>
    public string? Endpoint { get; init; }
}

/// <summary>Webhook provider settings to set; null keeps the stored value.</summary>
public sealed class WebhookPushUpdate
{
    /// <summary>Where each push is POSTed.</summary>
    public string? Url { get; init; }
    /// <summary>The signing secret (at least 16 characters).</summary>
    public string? Secret { get; init; }
}

internal sealed record PushPreferenceAnswer(string ChannelId, string UserId, string Push);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PushSettings))]
[JsonSerializable(typeof(PushPreferenceAnswer))]
internal sealed partial class PlatformPushJson : JsonSerializerContext;
