using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Http;

namespace GitpleLive.Server.Push;

/// <summary>
/// FCM HTTP v1: an OAuth2 access token from the app's service account key (Google.Apis.Auth, which caches and refreshes
/// it), then one POST per device of the §10 data message <c>{ title, body, data }</c>. Token and send endpoints default to
/// Google's and are configurable (the key's <c>token_uri</c> or <c>token_endpoint</c>; <c>endpoint</c>).
/// </summary>
public sealed class FcmPushProvider(
    System.Net.Http.IHttpClientFactory httpClients, IHttpMessageHandlerFactory handlers, PushOptions options) : IPushProvider
{
    /// <summary>The named <see cref="HttpClient"/> of every FCM request (token and send).</summary>
    public const string HttpClientName = "GitpleLive.Push.Fcm";
    private const string Scope = "https://www.googleapis.com/auth/firebase.messaging";
    private const string GoogleTokenUrl = "https://oauth2.googleapis.com/token";

    private readonly ConcurrentDictionary<string, (long Version, ServiceAccountCredential Credential)> _credentials =
        new(StringComparer.Ordinal);

    public string Name => "fcm";

    public async Task<PushResult> SendAsync(PushConfig config, PushTarget target, PushNotification notification,
        CancellationToken cancellationToken)
    {
        var fcm = config.Fcm!;
        string accessToken;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.RequestTimeout);
            accessToken = await CredentialFor(notification.AppId, config).GetAccessTokenForRequestAsync(cancellationToken: timeout.Token);
        }
        catch (TokenResponseException e)
        {
            // A refused key (invalid_grant, unauthorized_client) will not heal by itself; a token server's outage will.
            var transient = e.StatusCode is null || PushRouting.IsTransient(e.StatusCode.Value);
            return PushHttp.RetryOrFail(transient, $"fcm token endpoint: {e.Error?.Error ?? e.Message}");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException
            && !cancellationToken.IsCancellationRequested)
        {
            return new(PushOutcome.Retry, $"fcm token endpoint: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException)
        {
            return new(PushOutcome.Failed, $"fcm service account key: {e.Message}");
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            message = new
            {
                token = target.Token,
                data = new Dictionary<string, string>
                {
                    ["title"] = notification.Title, ["body"] = notification.Body, ["data"] = notification.Data,
                },
                android = new { priority = "high" },
            },
        });
        using var request = PushHttp.JsonPost(fcm.SendUrl, body);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await PushHttp.SendAsync(httpClients, HttpClientName, Name, request, async response =>
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound || text.Contains("UNREGISTERED", StringComparison.Ordinal))
                return new(PushOutcome.InvalidToken, $"fcm {(int)response.StatusCode}: unregistered");
            if (response.StatusCode == HttpStatusCode.Unauthorized) _credentials.TryRemove(notification.AppId, out _);
            var transient = PushRouting.IsTransient(response.StatusCode) || response.StatusCode == HttpStatusCode.Unauthorized;
            return PushHttp.RetryOrFail(transient, $"fcm {(int)response.StatusCode}: {PushHttp.Clip(text)}");
        }, cancellationToken);
    }

    private ServiceAccountCredential CredentialFor(string appId, PushConfig config)
    {
        if (_credentials.TryGetValue(appId, out var entry) && entry.Version == config.Version) return entry.Credential;
        var fcm = config.Fcm!;
        using var doc = JsonDocument.Parse(fcm.ServiceAccountJson);
        var root = doc.RootElement;
        var tokenUrl = fcm.TokenEndpoint
            ?? (root.TryGetProperty("token_uri", out var uri) && uri.ValueKind == JsonValueKind.String ? uri.GetString() : null)
            ?? GoogleTokenUrl;
        // Token requests go through the named client's handler too, so its configuration (a proxy, a test's trust) applies.
        var google = new HttpClientFromMessageHandlerFactory(_ =>
            new HttpClientFromMessageHandlerFactory.ConfiguredHttpMessageHandler(handlers.CreateHandler(HttpClientName), false, false));
        var initializer = new ServiceAccountCredential.Initializer(root.GetProperty("client_email").GetString(), tokenUrl)
        {
            Scopes = [Scope],
            HttpClientFactory = google,
        }.FromPrivateKey(root.GetProperty("private_key").GetString());
        var credential = new ServiceAccountCredential(initializer);
        if (_credentials.Count > 10_000) _credentials.Clear();
        _credentials[appId] = (config.Version, credential);
        return credential;
    }
}

