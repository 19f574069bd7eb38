using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitpleLive.Server.Push;

/// <summary>
/// APNs with token-based auth: an ES256 JWT signed with the app's .p8 key (made once per ~50 minutes; Apple refuses
/// tokens older than an hour and ones refreshed more than every 20 minutes), one HTTP/2 POST per device to
/// <c>/3/device/{token}</c> with the §10 body <c>{ aps: { alert: { title, body }, "thread-id", "mutable-content": 1 },
/// gitplelive: payload }</c>.
/// </summary>
public sealed class ApnsPushProvider(System.Net.Http.IHttpClientFactory httpClients, TimeProvider time) : IPushProvider
{
    /// <summary>The named <see cref="HttpClient"/> of every APNs request.</summary>
    public const string HttpClientName = "GitpleLive.Push.Apns";
    private static readonly TimeSpan JwtLifetime = TimeSpan.FromMinutes(50);

    private readonly ConcurrentDictionary<string, (long Version, string Jwt, DateTimeOffset Until)> _jwts = new(StringComparer.Ordinal);

    public string Name => "apns";

    public async Task<PushResult> SendAsync(PushConfig config, PushTarget target, PushNotification notification,
        CancellationToken cancellationToken)
    {
        var apns = config.Apns!;
        string jwt;
        try
        {
            jwt = JwtFor(notification.AppId, config);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            return new(PushOutcome.Failed, $"apns .p8 key: {e.Message}");
        }
        var body = new JsonObject
        {
            ["aps"] = new JsonObject
            {
                ["alert"] = new JsonObject { ["title"] = notification.Title, ["body"] = notification.Body },
                ["thread-id"] = notification.ChannelId,
                ["mutable-content"] = 1,
            },
            ["gitplelive"] = JsonNode.Parse(notification.Data),
        };
        var url = $"{apns.BaseUrl}/3/device/{Uri.EscapeDataString(target.Token)}";
        using var request = PushHttp.JsonPost(url, Encoding.UTF8.GetBytes(body.ToJsonString()));
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        request.Headers.Authorization = new AuthenticationHeaderValue("bearer", jwt);
        request.Headers.TryAddWithoutValidation("apns-topic", apns.BundleId);
        request.Headers.TryAddWithoutValidation("apns-push-type", "alert");
        request.Headers.TryAddWithoutValidation("apns-priority", "10");
        return await PushHttp.SendAsync(httpClients, HttpClientName, Name, request, async response =>
        {
            var reason = await ReasonAsync(response, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Gone
                || (response.StatusCode == HttpStatusCode.BadRequest && reason is "BadDeviceToken" or "Unregistered"))
                return new(PushOutcome.InvalidToken, $"apns {(int)response.StatusCode}: {reason}");
            if (reason is "ExpiredProviderToken" or "InvalidProviderToken")
            {
                _jwts.TryRemove(notification.AppId, out _);
                return new(reason == "ExpiredProviderToken" ? PushOutcome.Retry : PushOutcome.Failed,
                    $"apns {(int)response.StatusCode}: {reason}");
            }
            return PushHttp.RetryOrFail(PushRouting.IsTransient(response.StatusCode), $"apns {(int)response.StatusCode}: {reason}");
        }, cancellationToken);
    }

    private static async Task<string> ReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String) return r.GetString()!;
        }
        catch (JsonException) { }
        return PushHttp.Clip(text);
    }

    /// <summary>The provider token of the app: <c>{ alg: ES256, kid }.{ iss: team, iat }</c>, reused for ~50 minutes.</summary>
    private string JwtFor(string appId, PushConfig config)
    {
        var now = time.GetUtcNow();
        if (_jwts.TryGetValue(appId, out var entry) && entry.Version == config.Version && entry.Until > now) return entry.Jwt;
        var apns = config.Apns!;
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { alg = "ES256", kid = apns.KeyId }));
        var claims = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new { iss = apns.TeamId, iat = now.ToUnixTimeSeconds() }));
        using var key = ECDsa.Create();
        key.ImportFromPem(apns.P8Pem);
        var signature = key.SignData(Encoding.ASCII.GetBytes(header + "." + claims), HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var jwt = header + "." + claims + "." + Base64Url(signature);
        if (_jwts.Count > 10_000) _jwts.Clear();
        _jwts[appId] = (config.Version, jwt, now + JwtLifetime);
        return jwt;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
