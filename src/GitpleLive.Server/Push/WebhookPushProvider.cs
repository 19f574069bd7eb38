using System.Net;
using System.Text.Json;
using GitpleLive.Server.Webhooks;

namespace GitpleLive.Server.Push;

/// <summary>
/// The webhook push provider: one POST per device to the app's URL, <c>{ app_id, user_id, platform, token, title, body,
/// data }</c> (<c>data</c> = the event payload as a JSON string, as FCM carries it), signed like webhooks
/// (<see cref="WebhookSignature"/>). 2xx is delivered; 410 Gone says the token is dead (it is removed); 408, 429 and 5xx
/// are retried; any other answer is given up.
/// </summary>
public sealed class WebhookPushProvider(System.Net.Http.IHttpClientFactory httpClients, TimeProvider time) : IPushProvider
{
    /// <summary>The named <see cref="HttpClient"/> of every webhook push.</summary>
    public const string HttpClientName = "GitpleLive.Push.Webhook";

    public string Name => "webhook";

    public async Task<PushResult> SendAsync(PushConfig config, PushTarget target, PushNotification notification,
        CancellationToken cancellationToken)
    {
        var webhook = config.Webhook!;
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
        {
            ["app_id"] = notification.AppId, ["user_id"] = target.UserId, ["platform"] = target.Platform, ["token"] = target.Token,
            ["title"] = notification.Title, ["body"] = notification.Body, ["data"] = notification.Payload,
        }, ApiJson.Options);
        var timestamp = time.GetUtcNow().ToUnixTimeMilliseconds();
        using var request = PushHttp.JsonPost(webhook.Url, body);
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader,
            timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(webhook.Secret, timestamp, body));
        return await PushHttp.SendAsync(httpClients, HttpClientName, Name, request, response => Task.FromResult(
            response.StatusCode == HttpStatusCode.Gone
                ? new PushResult(PushOutcome.InvalidToken, "webhook 410: token gone")
                : PushHttp.RetryOrFail(PushRouting.IsTransient(response.StatusCode), $"webhook {(int)response.StatusCode}")),
            cancellationToken);
    }
}
