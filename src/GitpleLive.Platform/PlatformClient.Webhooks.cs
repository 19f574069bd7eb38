using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace GitpleLive.Platform;

public sealed partial class PlatformClient
{
    // ---- webhooks -----------------------------------------------------------------------------

    /// <summary>The app's webhook settings; <see cref="WebhookSettings.Url"/> is null when webhooks are off.</summary>
    public Task<WebhookSettings> GetWebhookSettingsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "v1/app/webhooks", null, WebhookJson.Default.WebhookSettings, cancellationToken);

    /// <summary>
    /// Sets where the server POSTs the app's changes. The first setting needs a secret (16 to 256 characters); later ones
    /// keep it when <see cref="WebhookSettingsUpdate.Secret"/> is null. Fails with 1001 naming the field for a URL that is
    /// not absolute http(s), a short secret or an unknown category.
    /// </summary>
    public Task<WebhookSettings> SetWebhookSettingsAsync(WebhookSettingsUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        return SendAsync(HttpMethod.Put, "v1/app/webhooks",
            Body(("url", update.Url), ("secret", update.Secret), ("categories", update.Categories)),
            WebhookJson.Default.WebhookSettings, cancellationToken);
    }

    /// <summary>Turns webhooks off; deliveries still queued are given up.</summary>
    public Task DeleteWebhookSettingsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, "v1/app/webhooks", null, cancellationToken);

    /// <summary>The app's most recent webhook deliveries (1 to 100, default 20), newest first.</summary>
    public async Task<IReadOnlyList<WebhookDelivery>> GetWebhookDeliveriesAsync(int limit = 20,
        CancellationToken cancellationToken = default)
    {
        var page = await SendAsync(HttpMethod.Get, $"v1/app/webhooks/deliveries?limit={limit.ToString(CultureInfo.InvariantCulture)}",
            null, WebhookJson.Default.WebhookDeliveryPage, cancellationToken).ConfigureAwait(false);
        return page.Deliveries;
    }

    /// <summary>
    /// Queues a test delivery of category <c>webhook:ping</c> (sent whatever the categories say) and returns its delivery id;
    /// fails with 1001 when webhooks are off.
    /// </summary>
    public async Task<string> PingWebhookAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Post, "v1/app/webhooks/ping", null, WebhookJson.Default.WebhookPing, cancellationToken)
            .ConfigureAwait(false)).DeliveryId;
}

/// <summary>An app's webhook settings as the server shows them.</summary>
/// <param name="Url">Where changes are POSTed; null when webhooks are off.</param>
/// <param name="Secret">The signing secret, masked (the server never shows it).</param>
/// <param name="Categories"><c>["*"]</c> or the categories delivered.</param>
/// <param name="UpdatedAt">Last change, Unix ms.</param>
public sealed record WebhookSettings(string? Url, string? Secret, IReadOnlyList<string> Categories, long? UpdatedAt);

/// <summary>New webhook settings.</summary>
public sealed record WebhookSettingsUpdate
{
    /// <summary>Absolute <c>http://</c> or <c>https://</c> URL of the app backend's endpoint.</summary>
    public required string Url { get; init; }
    /// <summary>The signing secret (16 to 256 characters); null keeps the current one.</summary>
    public string? Secret { get; init; }
    /// <summary><c>["*"]</c> (every change) or a list of categories; null keeps the current ones (<c>*</c> at first).</summary>
    public IReadOnlyList<string>? Categories { get; init; }
}

/// <summary>One webhook delivery in the log.</summary>
/// <param name="DeliveryId">The id the body carries as <c>delivery_id</c> (the same on every retry: use it to de-duplicate).</param>
/// <param name="Category">The change's category.</param>
/// <param name="Status"><c>pending</c>, <c>delivered</c> or <c>failed</c> (given up).</param>
/// <param name="Attempts">HTTP attempts so far.</param>
/// <param name="LastError">Why the last failed attempt failed, if one did.</param>
/// <param name="LastStatus">The receiver's HTTP status of the last attempt, if it answered.</param>
/// <param name="CreatedAt">When it was queued, Unix ms.</param>
/// <param name="LastAttemptAt">The last attempt, Unix ms.</param>
/// <param name="NextAttemptAt">The next retry of a pending delivery, Unix ms.</param>
/// <param name="FinishedAt">When it was delivered or given up, Unix ms.</param>
public sealed record WebhookDelivery(string DeliveryId, string Category, string Status, int Attempts, string? LastError, int? LastStatus,
    long CreatedAt, long? LastAttemptAt, long? NextAttemptAt, long? FinishedAt);

/// <summary>
/// Checks a webhook request in the app's backend: <c>X-GitpleLive-Signature</c> must be <c>sha256=</c> and the hex
/// HMAC-SHA256 of <c>"{X-GitpleLive-Timestamp}.{body}"</c> with the app's webhook secret, and the timestamp recent.
/// </summary>
public static class WebhookVerifier
{
    /// <summary>The header with the signing time (Unix ms).</summary>
    public const string TimestampHeader = "X-GitpleLive-Timestamp";
    /// <summary>The header with the signature.</summary>
    public const string SignatureHeader = "X-GitpleLive-Signature";

    /// <summary>
    /// True when <paramref name="signature"/> signs <paramref name="body"/> (the raw request bytes) at
    /// <paramref name="timestamp"/> with <paramref name="secret"/>, and that time is within <paramref name="tolerance"/>
    /// (default 5 minutes) of now — which turns a replayed old request away. Compared in constant time.
    /// </summary>
    public static bool Verify(string secret, string? timestamp, ReadOnlySpan<byte> body, string? signature, TimeSpan? tolerance = null,
        TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (signature is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)) return false;
        var now = (time ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds();
        if (Math.Abs(now - ms) > (tolerance ?? TimeSpan.FromMinutes(5)).TotalMilliseconds) return false;
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature));
    }
}

internal sealed record WebhookDeliveryPage(IReadOnlyList<WebhookDelivery> Deliveries);
internal sealed record WebhookPing(string DeliveryId);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WebhookSettings))]
[JsonSerializable(typeof(WebhookDeliveryPage))]
[JsonSerializable(typeof(WebhookPing))]
internal sealed partial class WebhookJson : JsonSerializerContext;
