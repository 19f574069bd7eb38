using System.Net.Http.Json;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>Rate limits per user and per app: 429, code 9001 and Retry-After; per-app overrides; one budget across nodes.</summary>
public class RateLimitTests
{
    private static async Task<(int Status, int? Code, int? RetryAfter)> SendAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        int? code = null;
        if (!response.IsSuccessStatusCode)
            code = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetInt32();
        var retry = response.Headers.RetryAfter?.Delta is { } d ? (int)d.TotalSeconds : (int?)null;
        return ((int)response.StatusCode, code, retry);
    }

    [Fact]
    public async Task Sends_over_the_apps_per_user_limit_answer_429_9001_with_retry_after()
    {
        await using var server = await TestServer.StartAsync();
        var users = await server.NewUsersAsync("alice", "bob");
        var (alice, bob) = (users[0], users[1]);
        var channel = await alice.NewChannelAsync(bob);
        var app = await server.Platform.PutJsonAsync("/v1/app", new { rate_limits = new { sends_per_user = 3 } });
        Assert.Equal(3, app!["rate_limits"].Long("sends_per_user"));
        var path = $"/v1/sdk/group/channels/{channel}/messages";
        for (var i = 0; i < 3; i++) Assert.Equal(200, (await SendAsync(alice.Http, path, new { type = "text", content = $"m{i}" })).Status);
        var refused = await SendAsync(alice.Http, path, new { type = "text", content = "one too many" });
        Assert.Equal((429, 9001), (refused.Status, refused.Code));
        Assert.InRange(refused.RetryAfter ?? -1, 1, 10);
        // Per user: bob has his own budget; reads are another kind.
        Assert.Equal(200, (await SendAsync(bob.Http, path, new { type = "text", content = "bob's" })).Status);
        await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{channel}");
        // Nothing of the refused send was stored.
        var stored = (await bob.Http.GetJsonAsync($"{path}?limit=50"))!["messages"]!.AsArray();
        Assert.DoesNotContain(stored, m => m.Str("content") == "one too many");
        // Back to the default: alice may send again.
        await server.Platform.PutJsonAsync("/v1/app", new { rate_limits = new { sends_per_user = (int?)null } });
        Assert.Equal(200, (await SendAsync(alice.Http, path, new { type = "text", content = "again" })).Status);
        Assert.False((await server.Platform.GetJsonAsync("/v1/app"))!["rate_limits"]!.AsObject().ContainsKey("sends_per_user"));
    }

    [Fact]
    public async Task Per_app_limits_count_every_caller_of_the_app()
    {
        await using var server = await TestServer.StartAsync();
        var users = await server.NewUsersAsync("a", "b", "c");
        await server.Platform.PutJsonAsync("/v1/app", new { rate_limits = new { reads_per_app = 4, tokens_per_app = 2 } });
        var statuses = new List<int>();
        foreach (var u in users.Concat(users))
        {
            using var r = await u.Http.GetAsync("/v1/sdk/users/info/me");
            statuses.Add((int)r.StatusCode);
        }
        Assert.Equal([200, 200, 200, 200, 429, 429], statuses);
        // Token issues through the Platform API count against the app too.
        var tokens = new List<int>();
        for (var i = 0; i < 3; i++)
            tokens.Add((await SendAsync(server.Platform, $"/v1/users/{users[0].UserId}/token", new { })).Status);
        Assert.Equal([200, 200, 429], tokens);
    }

    [Fact]
    public async Task Limits_can_be_turned_off_for_the_server()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["GitpleLive:RateLimits:Enabled"] = "false" });
        var alice = (await server.NewUsersAsync("alice"))[0];
        var channel = await alice.NewChannelAsync();
        await server.Platform.PutJsonAsync("/v1/app", new { rate_limits = new { sends_per_user = 1 } });
        for (var i = 0; i < 3; i++)
            Assert.Equal(200, (await SendAsync(alice.Http, $"/v1/sdk/group/channels/{channel}/messages", new { type = "text", content = $"{i}" })).Status);
    }

    [Fact]
    public async Task Overrides_are_checked()
    {
        await using var server = await TestServer.StartAsync();
        await server.Platform.ExpectInvalidAsync(HttpMethod.Put, "/v1/app", new { rate_limits = new { sends_per_hour = 3 } }, "sends_per_hour");
        await server.Platform.ExpectInvalidAsync(HttpMethod.Put, "/v1/app", new { rate_limits = new { sends_per_user = 0 } }, "sends_per_user");
        await server.Platform.ExpectInvalidAsync(HttpMethod.Put, "/v1/app", new { rate_limits = new { reads_per_app = "many" } }, "reads_per_app");
        await server.Platform.ExpectInvalidAsync(HttpMethod.Put, "/v1/app", new { rate_limits = 5 }, "rate_limits");
    }

    [SkippableFact]
    public async Task With_redis_the_budget_is_the_clusters()
    {
        var reason = await ExternalServices.PostgresAndRedisMissingAsync();
        Skip.If(reason is not null, reason);
        var nodes = await TwoNodes.StartAsync("rl");
        var (a, b) = nodes;
        try
        {
            var alice = await a.SdkUserAsync("alice");
            var aliceOnB = await b.SdkUserAsync("alice");
            await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "rl", name = "n" });
            await a.Platform.PutJsonAsync("/v1/app", new { rate_limits = new { sends_per_user = 3 } });
            await Task.Delay(200); // node B forgets its cached app
            const string path = "/v1/sdk/group/channels/rl/messages";
            Assert.Equal(200, (await SendAsync(alice.Http, path, new { type = "text", content = "1" })).Status);
            Assert.Equal(200, (await SendAsync(aliceOnB.Http, path, new { type = "text", content = "2" })).Status);
            Assert.Equal(200, (await SendAsync(alice.Http, path, new { type = "text", content = "3" })).Status);
            var refused = await SendAsync(aliceOnB.Http, path, new { type = "text", content = "4" });
            Assert.Equal((429, 9001), (refused.Status, refused.Code));
            Assert.InRange(refused.RetryAfter ?? -1, 1, 10);
        }
        finally
        {
            await nodes.DisposeAsync();
        }
    }
}
