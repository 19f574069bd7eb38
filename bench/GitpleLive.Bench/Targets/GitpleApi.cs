using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GitpleLive.Bench.Targets;

/// <summary>The slice of the Platform and SDK REST APIs the bench uses (PROTOCOL §4, §5, §8).</summary>
public sealed class GitpleApi : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    private readonly string _appId;
    private readonly string _apiKey;

    public HttpClient Http { get; }

    public GitpleApi(Uri baseUri, string appId, string apiKey, int maxConnections = 512)
    {
        _appId = appId;
        _apiKey = apiKey;
        Http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = maxConnections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        })
        {
            BaseAddress = baseUri,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    /// <summary>A user with a session and an SDK token.</summary>
    public sealed record BenchUser(string UserId, string SdkToken);

    public async Task CreateUserAsync(string userId, string name, CancellationToken cancellationToken)
    {
        using var request = Platform(HttpMethod.Post, "v1/users", new JsonObject { ["user_id"] = userId, ["name"] = name });
        using var response = await Http.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (body.Contains("\"code\":1007")) return; // already there
        throw new BenchApiException("POST /v1/users", response.StatusCode, body);
    }

    public async Task<string> SessionTokenAsync(string userId, CancellationToken cancellationToken)
    {
        var expires = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds();
        using var request = Platform(
            HttpMethod.Post, $"v1/users/{Uri.EscapeDataString(userId)}/token", new JsonObject { ["expires_at"] = expires });
        var answer = await SendForJsonAsync(request, cancellationToken);
        return answer["token"]!.GetValue<string>();
    }

    public async Task<string> SdkTokenAsync(string userId, string sessionToken, CancellationToken cancellationToken)
    {
        using var request = Sdk(HttpMethod.Post, "v1/sdk/users/token", userId, sessionToken, new JsonObject());
        var answer = await SendForJsonAsync(request, cancellationToken);
        return answer["token"]!.GetValue<string>();
    }

    /// <summary>Creates the user (if new), then a session token, then an SDK token.</summary>
    public async Task<BenchUser> CreateSdkUserAsync(string userId, string name, CancellationToken cancellationToken)
    {
        await CreateUserAsync(userId, name, cancellationToken);
        var session = await SessionTokenAsync(userId, cancellationToken);
        return new BenchUser(userId, await SdkTokenAsync(userId, session, cancellationToken));
    }

    public async Task CreateChannelAsync(
        BenchUser creator, string channelId, string name, IEnumerable<string> members, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["channel_id"] = channelId,
            ["name"] = name,
            ["members"] = new JsonArray(members.Select(m => (JsonNode)JsonValue.Create(m)!).ToArray()),
        };
        using var request = Sdk(HttpMethod.Post, "v1/sdk/group/channels", creator.UserId, creator.SdkToken, body);
        await SendForJsonAsync(request, cancellationToken);
    }

    /// <summary>A prepared text-message POST; the body bytes are given so callers control their cost.</summary>
    public HttpRequestMessage SendTextRequest(BenchUser sender, string channelId, byte[] jsonBody)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"v1/sdk/group/channels/{channelId}/messages")
        {
            Content = new ByteArrayContent(jsonBody),
        };
        request.Content.Headers.ContentType = Json;
        AddSdkHeaders(request, sender.UserId, sender.SdkToken);
        return request;
    }

    public static byte[] TextBody(string content) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new Dictionary<string, string> { ["type"] = "text", ["content"] = content }));

    /// <summary>Platform history import: the messages are stored in one transaction (no events); returns the first and last ids.</summary>
    public async Task<(long First, long Last)> ImportAsync(
        string channelId, IEnumerable<(string UserId, string Content)> messages, CancellationToken cancellationToken)
    {
        var list = new JsonArray();
        foreach (var (user, content) in messages) list.Add(new JsonObject { ["user_id"] = user, ["content"] = content });
        using var request = Platform(
            HttpMethod.Post,
            $"v1/group/channels/{Uri.EscapeDataString(channelId)}/messages/import",
            new JsonObject { ["messages"] = list });
        var answer = await SendForJsonAsync(request, cancellationToken);
        return (answer["first_message_id"]!.GetValue<long>(), answer["last_message_id"]!.GetValue<long>());
    }

    public HttpRequestMessage Sdk(HttpMethod method, string path, string userId, string token, JsonNode? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = Json;
        }
        AddSdkHeaders(request, userId, token);
        return request;
    }

    private void AddSdkHeaders(HttpRequestMessage request, string userId, string token)
    {
        request.Headers.TryAddWithoutValidation("APP_ID", _appId);
        request.Headers.TryAddWithoutValidation("USER_ID", userId);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
    }

    private HttpRequestMessage Platform(HttpMethod method, string path, JsonNode? body)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = Json;
        }
        request.Headers.TryAddWithoutValidation("APP_ID", _appId);
        request.Headers.TryAddWithoutValidation("APP_API_KEY", _apiKey);
        return request;
    }

    public async Task<JsonNode> SendForJsonAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await Http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new BenchApiException($"{request.Method} /{request.RequestUri}", response.StatusCode, body);
        return JsonNode.Parse(body) ?? new JsonObject();
    }

    public void Dispose() => Http.Dispose();
}

public sealed class BenchApiException(string call, System.Net.HttpStatusCode status, string body)
    : Exception($"{call} answered {(int)status}: {(body.Length > 500 ? body[..500] : body)}");
