using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GitpleLive.Server.Services;
using GitpleLive.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Console.Tests;

/// <summary>A real server with the console's admin key set and a second app, and helpers to sign in over HTTP.</summary>
public class ConsoleServer : IAsyncLifetime
{
    public const string AdminKey = "admin-key-for-console-tests-0123456789";

    public TestServer Server { get; private set; } = null!;
    public string OtherAppId { get; private set; } = null!;
    public string OtherApiKey { get; private set; } = null!;

    /// <summary>Settings of the server; a subclass adds its own (e.g. a tight sign-in limit).</summary>
    protected IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    public virtual async Task InitializeAsync()
    {
        Settings["GitpleLive:Console:AdminKey"] = AdminKey;
        Server = await TestServer.StartAsync(Settings);
        var other = await Server.Services.GetRequiredService<AppService>().CreateAsync(null, "second app", null, false);
        OtherAppId = other.AppId;
        OtherApiKey = other.ApiKey;
    }

    public virtual async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A client with its own cookie jar and no redirects.</summary>
    public HttpClient NewClient(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(Server.BaseUrl),
        };

    /// <summary>Signs in (app key when <paramref name="appId"/> is given, else the admin key) and returns the client and CSRF token.</summary>
    public async Task<(HttpClient Client, string Csrf, HttpResponseMessage Answer)> SignInAsync(string? appId = null, string? apiKey = null)
    {
        var client = NewClient();
        var answer = await client.PostAsync("/console/api/session", Form(appId, apiKey));
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.IsSuccessStatusCode, text);
        return (client, JsonNode.Parse(text)!["csrf_token"]!.GetValue<string>(), answer);
    }

    public static FormUrlEncodedContent Form(string? appId, string? apiKey) => new(appId is null
        ? [new("admin_key", apiKey ?? AdminKey)]
        : new KeyValuePair<string, string>[] { new("app_id", appId), new("api_key", apiKey ?? "") });

    public static async Task<JsonNode> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>A user, a channel with them as members, and a message from the first (through the SDK API).</summary>
    public async Task<(SdkUser Sender, SdkUser Reporter)> ChannelWithTwoUsersAsync(string channelId, string name)
    {
        var sender = await Server.SdkUserAsync(channelId + "-alice", "Alice " + channelId);
        var reporter = await Server.SdkUserAsync(channelId + "-bob", "Bob " + channelId);
        var created = await Server.Platform.PostAsJsonAsync("/v1/group/channels",
            new { channel_id = channelId, name, members = new[] { sender.UserId, reporter.UserId } });
        await ReadAsync(created);
        return (sender, reporter);
    }

    public static async Task<long> SendAsync(SdkUser user, string channelId, string content) =>
        (await ReadAsync(await user.Http.PostAsJsonAsync($"/v1/sdk/group/channels/{channelId}/messages", new { content })))
            ["message_id"]!.GetValue<long>();

    public static async Task<string> ReportMessageAsync(SdkUser reporter, string channelId, long messageId, string reason) =>
        (await ReadAsync(await reporter.Http.PostAsJsonAsync("/v1/sdk/reports", new
        {
            report_type = "message", report_category = "spam", reason, channel_id = channelId, message_id = messageId,
        })))["report_id"]!.GetValue<string>();
}
