using System.Text;
using System.Text.Json;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests.Mobile;

/// <summary>An answer as a phone sees it: status, body text, and the body parsed when it is JSON.</summary>
public sealed record DeviceAnswer(int Status, string Text, HttpResponseMessage Response)
{
    public JsonElement Json => JsonDocument.Parse(Text).RootElement;
}

/// <summary>
/// Sends requests in the exact shape one of the official mobile SDKs uses (MOBILE shapes §1–2): its headers on every
/// call (iOS: Content-Type and Accept even on GET and body-less calls), raw unencoded paths and queries, Android's
/// <c>{}</c> for a POST/PUT without a body and iOS's empty body, and their multipart uploads byte for byte.
/// </summary>
public sealed class MobileDevice(TestServer server, string userId, bool ios) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(server.BaseUrl) };

    public string UserId => userId;
    public string? Token { get; set; }
    public string DeviceUuid { get; } = ios ? Guid.NewGuid().ToString().ToUpperInvariant() : Guid.NewGuid().ToString();

    /// <summary>The SDK's MQTT client id: <c>{app}::{user}::v1.0.0::{ms}::{ip}::android|ios::{uuid}</c>.</summary>
    public string ClientId(string ip = "127.0.0.1") =>
        $"{server.AppId}::{userId}::v1.0.0::{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}::{ip}::{(ios ? "ios" : "android")}::{DeviceUuid}";

    /// <summary>
    /// One call. <paramref name="json"/> null means "the SDK passes no body": Android then sends <c>{}</c> on POST/PUT
    /// and nothing on GET/DELETE; iOS sends nothing at all (but still says Content-Type: application/json).
    /// </summary>
    public async Task<DeviceAnswer> SendAsync(HttpMethod method, string pathAndQuery, string? json = null,
        string? deleteContentType = null)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery);
        request.Headers.TryAddWithoutValidation("APP_ID", server.AppId);
        request.Headers.TryAddWithoutValidation("USER_ID", userId);
        request.Headers.TryAddWithoutValidation("Accept", "application/json");
        if (Token is not null) request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Token);
        var body = json;
        if (body is null && !ios && (method == HttpMethod.Post || method == HttpMethod.Put)) body = "{}";
        if (body is not null || ios || method == HttpMethod.Post || method == HttpMethod.Put)
        {
            request.Content = new ByteArrayContent(body is null ? [] : Encoding.UTF8.GetBytes(body));
            // Android's OkHttp DELETE-with-body says "application/json; charset=utf-8"; every other call plain JSON.
            request.Content.Headers.TryAddWithoutValidation("Content-Type", deleteContentType ?? "application/json");
        }
        var response = await _http.SendAsync(request);
        return new DeviceAnswer((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public async Task<JsonElement> OkAsync(HttpMethod method, string pathAndQuery, string? json = null, string? contentType = null)
    {
        var answer = await SendAsync(method, pathAndQuery, json, contentType);
        Assert.True(answer.Status is >= 200 and < 299, $"{method} {pathAndQuery}: {answer.Status} {answer.Text}");
        return answer.Text.Length == 0 ? default : answer.Json;
    }

    /// <summary>Connect's first steps: <c>GET /health</c> (no headers on iOS) and the SDK token for a session token.</summary>
    public async Task<JsonElement> ConnectAsync(string sessionToken)
    {
        using (var health = await _http.GetAsync("/health"))
        {
            Assert.Equal(200, (int)health.StatusCode);
            Assert.Equal("Health!", await health.Content.ReadAsStringAsync());
            Assert.True(health.Headers.TryGetValues("x-forwarded-for", out var ip) && ip.Single().Length > 0);
        }
        Token = sessionToken;
        var token = await OkAsync(HttpMethod.Post, "/v1/sdk/users/token");
        Assert.Equal(JsonValueKind.String, token.GetProperty("token").ValueKind);
        Assert.True(token.GetProperty("expires_at").TryGetInt64(out _), "expires_at must be an Int64");
        Token = token.GetProperty("token").GetString();
        StrictShapes.User(await OkAsync(HttpMethod.Get, "/v1/sdk/users/info/me"));
        return token;
    }

    /// <summary>The connect walk over joined channels, as both SDKs do it; every channel must carry <c>managers</c>.</summary>
    public async Task<List<JsonElement>> JoinedWalkAsync()
    {
        var all = new List<JsonElement>();
        string? next = null;
        do
        {
            var page = await OkAsync(HttpMethod.Get,
                "/v1/sdk/group/channels/joined/list?show_managers=true&limit=30" + (next is null ? "" : "&next=" + next));
            foreach (var c in page.GetProperty("channels").EnumerateArray())
            {
                StrictShapes.Channel(c);
                Assert.Equal(JsonValueKind.Array, c.GetProperty("managers").ValueKind);
                all.Add(c);
            }
            next = page.TryGetProperty("next", out var n) ? n.GetString() : null;
            Assert.NotEqual("", next); // an empty cursor would loop the SDKs forever
        }
        while (next is not null);
        return all;
    }

    /// <summary>The Android upload (HttpURLConnection, UploadHelper): fixed boundary, full device path, part type */*.</summary>
    public async Task<DeviceAnswer> UploadAndroidAsync(string channelId, string devicePath, byte[] bytes)
    {
        const string boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
        var head = $"--{boundary}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nfile\r\n" +
                   $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\";filename=\"{devicePath}\"\r\n" +
                   "Content-Type: */*\r\n\r\n";
        // DataOutputStream.writeBytes keeps each char's low byte.
        var body = head.Select(c => (byte)c).Concat(bytes).Concat(Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n")).ToArray();
        return await UploadAsync(channelId, body, "multipart/form-data;boundary=" + boundary, keepAlive: true);
    }

    /// <summary>The iOS upload (Alamofire multipart): its boundary, the app's relative file name, part type */*.</summary>
    public async Task<DeviceAnswer> UploadIosAsync(string channelId, string fileName, byte[] bytes)
    {
        var boundary = "alamofire.boundary." + Guid.NewGuid().ToString("N")[..16];
        var head = $"--{boundary}\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nfile\r\n" +
                   $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{fileName}\"\r\n" +
                   "Content-Type: */*\r\n\r\n";
        var body = Encoding.UTF8.GetBytes(head).Concat(bytes).Concat(Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n")).ToArray();
        return await UploadAsync(channelId, body, "multipart/form-data; boundary=" + boundary, keepAlive: false);
    }

    private async Task<DeviceAnswer> UploadAsync(string channelId, byte[] body, string contentType, bool keepAlive)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/sdk/group/channels/{channelId}/messages");
        request.Headers.TryAddWithoutValidation("APP_ID", server.AppId);
        request.Headers.TryAddWithoutValidation("USER_ID", userId);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Token);
        if (keepAlive) request.Headers.Connection.Add("Keep-Alive");
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType); // byte for byte, no added space
        var response = await _http.SendAsync(request);
        return new DeviceAnswer((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response);
    }

    public void Dispose() => _http.Dispose();
}
