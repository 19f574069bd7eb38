using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitpleLive.Server.Events;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>Small HTTP helpers shared by the test classes: send, expect a status and read JSON.</summary>
public static class Api
{
    public static async Task<JsonNode?> SendAsync(this HttpClient http, HttpMethod method, string path, object? body = null, int expectStatus = 200)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is string raw) request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        else if (body is HttpContent content) request.Content = content;
        else if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expectStatus, $"{method} {path}: expected {expectStatus}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    public static Task<JsonNode?> GetJsonAsync(this HttpClient http, string path, int expectStatus = 200) => http.SendAsync(HttpMethod.Get, path, null, expectStatus);
    public static Task<JsonNode?> PostJsonAsync(this HttpClient http, string path, object? body, int expectStatus = 200) => http.SendAsync(HttpMethod.Post, path, body, expectStatus);
    public static Task<JsonNode?> PutJsonAsync(this HttpClient http, string path, object? body = null, int expectStatus = 200) => http.SendAsync(HttpMethod.Put, path, body, expectStatus);
    public static Task<JsonNode?> DeleteJsonAsync(this HttpClient http, string path, object? body = null, int expectStatus = 200) => http.SendAsync(HttpMethod.Delete, path, body, expectStatus);

    /// <summary>Asserts a protocol error: status and code, and returns the message.</summary>
    public static async Task<string> ExpectErrorAsync(this HttpClient http, HttpMethod method, string path, object? body, int status, int code)
    {
        var error = await http.SendAsync(method, path, body, status);
        Assert.NotNull(error);
        Assert.True(code == error!["code"]!.GetValue<int>(), $"{method} {path}: expected code {code}, got {error.ToJsonString()}");
        Assert.Equal(status, error["status"]!.GetValue<int>());
        // PROTOCOL §7: the milliseconds as a string of digits (the iOS SDK decodes a required String).
        var stamp = error["timestamp"]!.GetValue<string>();
        Assert.True(stamp.All(char.IsAsciiDigit) && long.Parse(stamp) > 1_000_000_000_000, "timestamp must be Unix milliseconds as digits");
        Assert.False(string.IsNullOrWhiteSpace(error["path"]?.GetValue<string>()));
        var message = error["message"]!.GetValue<string>();
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message;
    }

    /// <summary>Asserts a 400/1001 refusal whose message names <paramref name="field"/>.</summary>
    public static async Task ExpectInvalidAsync(this HttpClient http, HttpMethod method, string path, object? body, string field)
    {
        var message = await http.ExpectErrorAsync(method, path, body, 400, 1001);
        Assert.True(message.Contains(field, StringComparison.Ordinal), $"{method} {path}: message '{message}' does not name '{field}'");
    }

    // ---- ids and fixtures -----------------------------------------------------------------------

    /// <summary>A fresh id with a readable prefix, unique within a test run.</summary>
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>SDK users with fresh ids (<c>{prefix}-…</c>), one per prefix.</summary>
    public static async Task<SdkUser[]> NewUsersAsync(this TestServer server, params string[] prefixes)
    {
        var users = new SdkUser[prefixes.Length];
        for (var i = 0; i < prefixes.Length; i++) users[i] = await server.SdkUserAsync(NewId(prefixes[i]));
        return users;
    }

    /// <summary>Creates a channel through the SDK: <paramref name="owner"/> becomes its manager, <paramref name="members"/> join.</summary>
    public static async Task<string> NewChannelAsync(this SdkUser owner, params SdkUser[] members)
    {
        var id = NewId("ch");
        await owner.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = id, name = "Room " + id, members = members.Select(m => m.UserId).ToArray() });
        return id;
    }

    public static async Task<JsonNode> SendTextAsync(this SdkUser user, string channelId, string content)
        => (await user.Http.PostJsonAsync($"/v1/sdk/group/channels/{channelId}/messages", new { type = "text", content }))!;

    public static async Task<JsonNode> ChannelAsync(this SdkUser user, string channelId)
        => (await user.Http.GetJsonAsync($"/v1/sdk/group/channels/{channelId}"))!;

    /// <summary>The caller's joined channel <paramref name="channelId"/> with every <c>show_*</c> part.</summary>
    public static async Task<JsonNode> JoinedChannelAsync(this SdkUser user, string channelId)
    {
        var all = (await user.Http.GetJsonAsync("/v1/sdk/group/channels/joined/list/all?show_members=true&show_managers=true&show_unread=true&show_read_receipt=true&show_delivery_receipt=true&show_last_message=true"))!.AsArray();
        return all.Single(c => c!["channel_id"]!.GetValue<string>() == channelId)!;
    }

    public static MultipartFormDataContent FileForm(byte[] bytes, string fileName, string contentType = "application/octet-stream", string? meta = null, string? userId = null, string type = "file")
    {
        var form = new MultipartFormDataContent();
        form.Add(new StringContent(type), "type");
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentType = new(contentType);
        form.Add(part, "file", fileName);
        if (meta is not null) form.Add(new StringContent(meta), "meta");
        if (userId is not null) form.Add(new StringContent(userId), "user_id");
        return form;
    }

    public static string Str(this JsonNode? node, string name) => node![name]!.GetValue<string>();
    public static long Long(this JsonNode? node, string name) => node![name]!.GetValue<long>();
    public static bool Has(this JsonNode? node, string name) => node is JsonObject o && o.ContainsKey(name);
    public static string[] Ids(this JsonNode? array, string field) => array!.AsArray().Select(n => n![field]!.GetValue<string>()).ToArray();

    /// <summary>The decoded payload of a JWT's middle part.</summary>
    public static JsonObject JwtPayload(string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        foreach (var p in parts) Assert.Matches("^[A-Za-z0-9_-]+$", p);
        return JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
    }

    // ---- events ---------------------------------------------------------------------------------

    /// <summary>Events recorded after <paramref name="mark"/> (a value of <see cref="EventRecorder.All"/>'s count).</summary>
    public static List<ChatEvent> Since(this EventRecorder events, int mark) => events.All.Skip(mark).ToList();

    public static int Mark(this TestServer server) => server.Events.All.Count;

    /// <summary>
    /// Asserts an event's topic and that its JSON payload has exactly the fields PROTOCOL §6 names
    /// for its category (<c>category</c> plus the given ones).
    /// </summary>
    public static JsonObject AssertEvent(this ChatEvent e, string category, EventTopicKind kind, string targetId, params string[] fields)
    {
        Assert.Equal(category, e.Category);
        Assert.Equal(kind, e.TopicKind);
        Assert.Equal(targetId, e.TargetId);
        var json = JsonNode.Parse(e.PayloadBytes)!.AsObject();
        // Every payload carries app_id and a ban also banInfo (PROTOCOL §9).
        var expected = fields.Append("category").Append("app_id");
        if (category == Protocol.EventCategories.ChannelBan) expected = expected.Append("banInfo");
        Assert.Equal(expected.Order(StringComparer.Ordinal), json.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(e.AppId, json["app_id"]!.GetValue<string>());
        Assert.Equal(category, json["category"]!.GetValue<string>());
        return json;
    }

    /// <summary>The one event of <paramref name="category"/> among <paramref name="events"/>.</summary>
    public static ChatEvent Single(this IEnumerable<ChatEvent> events, string category) =>
        Assert.Single(events, e => e.Category == category);

    public static SubscriptionCut Cut(string userId, string channelId, bool managerOnly = false) => new(userId, "group", channelId, managerOnly);
}

/// <summary>One server shared by a test class; tests use fresh ids so they do not interfere.</summary>
public class ServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    protected virtual IDictionary<string, string?>? Settings => null;

    public virtual async Task InitializeAsync() => Server = await TestServer.StartAsync(Settings);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
