using System.Net.Http.Headers;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>PROTOCOL §1: <c>GET /health</c> and the CORS rules for browsers.</summary>
public class HealthAndCorsTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;
    private const string Origin = "https://app.example.com";

    private static string Header(HttpResponseMessage r, string name) =>
        r.Headers.TryGetValues(name, out var v) ? string.Join(",", v) : r.Content.Headers.TryGetValues(name, out var c) ? string.Join(",", c) : "";

    private static string[] List(HttpResponseMessage r, string name) =>
        Header(r, name).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Every_answer_says_nosniff()
    {
        var user = (await Server.NewUsersAsync("nosniff"))[0];
        using var anonymous = new HttpClient();
        var answers = new List<(string What, HttpResponseMessage Response)>
        {
            ("health", await anonymous.GetAsync($"{Server.BaseUrl}/health")),
            ("sdk read", await user.Http.GetAsync("/v1/sdk/users/info/me")),
            ("sdk refusal", await user.Http.GetAsync($"/v1/sdk/group/channels/{Api.NewId("none")}")),
            ("no credentials", await anonymous.GetAsync($"{Server.BaseUrl}/v1/sdk/users/info/me")),
            ("platform read", await Server.Platform.GetAsync("/v1/users")),
            ("unknown route", await anonymous.GetAsync($"{Server.BaseUrl}/nothing/here")),
            ("bad file link", await anonymous.GetAsync($"{Server.BaseUrl}/v1/files/x?exp=1&sig=x")),
        };
        foreach (var (what, response) in answers)
            using (response)
                Assert.True(Header(response, "X-Content-Type-Options") == "nosniff", $"{what} ({(int)response.StatusCode}) lacks nosniff");
    }

    [Fact]
    public async Task Health_answers_200_and_echoes_the_caller_ip()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync($"{Server.BaseUrl}/health");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("127.0.0.1", Header(response, "x-forwarded-for"));
        // PROTOCOL §9: the iOS SDK needs exactly this body to take its IP from the header.
        Assert.Equal("Health!", await response.Content.ReadAsStringAsync());
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.ToString());
        // No credentials needed, and through the localhost name too.
        using var viaHost = await http.GetAsync($"http://{Server.Host}/health");
        Assert.Equal(200, (int)viaHost.StatusCode);
        Assert.Matches(@"^(127\.0\.0\.1|::1)$", Header(viaHost, "x-forwarded-for"));
    }

    [Fact]
    public async Task Health_behind_a_proxy_echoes_the_original_client()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{Server.BaseUrl}/health");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        using var response = await http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("203.0.113.7", Header(response, "x-forwarded-for"));
        // Only known proxies are believed: loopback is, 10.0.0.1 is not (here), so it is the client.
        using var chained = new HttpRequestMessage(HttpMethod.Get, $"{Server.BaseUrl}/health");
        chained.Headers.Add("X-Forwarded-For", "203.0.113.7, 10.0.0.1");
        using var chainedResponse = await http.SendAsync(chained);
        Assert.Equal("10.0.0.1", Header(chainedResponse, "x-forwarded-for"));
    }

    [Fact]
    public async Task Configured_proxy_networks_are_believed_along_the_chain()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["GitpleLive:KnownNetworks:0"] = "10.0.0.0/8",
        });
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{server.BaseUrl}/health");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7, 10.0.0.1");
        using var response = await http.SendAsync(request);
        Assert.Equal("203.0.113.7", Header(response, "x-forwarded-for"));
    }

    [Fact]
    public async Task Preflight_allows_the_protocol_headers_and_methods()
    {
        using var http = new HttpClient();
        foreach (var method in new[] { "GET", "POST", "PUT", "DELETE" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, $"{Server.BaseUrl}/v1/sdk/group/channels/x/messages");
            request.Headers.Add("Origin", Origin);
            request.Headers.Add("Access-Control-Request-Method", method);
            request.Headers.Add("Access-Control-Request-Headers", "app_id,user_id,app_api_key,authorization,content-type");
            using var response = await http.SendAsync(request);
            Assert.InRange((int)response.StatusCode, 200, 204);
            Assert.Contains(Header(response, "Access-Control-Allow-Origin"), new[] { Origin, "*" });
            var headers = List(response, "Access-Control-Allow-Headers").Select(h => h.ToLowerInvariant()).ToList();
            foreach (var h in new[] { "app_id", "user_id", "app_api_key", "authorization", "content-type" })
                Assert.Contains(h, headers);
            Assert.Contains(method, List(response, "Access-Control-Allow-Methods"));
        }
    }

    [Fact]
    public async Task Preflight_does_not_allow_other_methods_or_headers()
    {
        using var http = new HttpClient();
        using (var request = new HttpRequestMessage(HttpMethod.Options, $"{Server.BaseUrl}/v1/sdk/users"))
        {
            request.Headers.Add("Origin", Origin);
            request.Headers.Add("Access-Control-Request-Method", "PATCH");
            using var response = await http.SendAsync(request);
            Assert.DoesNotContain("PATCH", List(response, "Access-Control-Allow-Methods"));
        }
        using (var request = new HttpRequestMessage(HttpMethod.Options, $"{Server.BaseUrl}/v1/sdk/users"))
        {
            request.Headers.Add("Origin", Origin);
            request.Headers.Add("Access-Control-Request-Method", "GET");
            request.Headers.Add("Access-Control-Request-Headers", "x-secret-header");
            using var response = await http.SendAsync(request);
            Assert.DoesNotContain("x-secret-header", List(response, "Access-Control-Allow-Headers").Select(h => h.ToLowerInvariant()));
        }
    }

    [Fact]
    public async Task Cross_origin_answers_carry_cors_headers_and_expose_x_forwarded_for_even_on_errors()
    {
        using var http = new HttpClient();
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"{Server.BaseUrl}/health"))
        {
            request.Headers.Add("Origin", Origin);
            using var response = await http.SendAsync(request);
            Assert.Contains(Header(response, "Access-Control-Allow-Origin"), new[] { Origin, "*" });
            Assert.Contains("x-forwarded-for", List(response, "Access-Control-Expose-Headers").Select(h => h.ToLowerInvariant()));
        }
        // A refused SDK call: the browser must be able to read code and message.
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"{Server.BaseUrl}/v1/sdk/users/info/me"))
        {
            request.Headers.Add("Origin", Origin);
            request.Headers.Add("APP_ID", Server.AppId);
            request.Headers.Add("USER_ID", "nobody");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "bad");
            using var response = await http.SendAsync(request);
            Assert.Equal(401, (int)response.StatusCode);
            Assert.Contains(Header(response, "Access-Control-Allow-Origin"), new[] { Origin, "*" });
            Assert.Contains("\"code\":4001", await response.Content.ReadAsStringAsync());
        }
        // A successful SDK call.
        using var alice = await Server.SdkUserAsync(Api.NewId("alice"));
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/v1/sdk/users/info/me"))
        {
            request.Headers.Add("Origin", Origin);
            using var response = await alice.Http.SendAsync(request);
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Contains(Header(response, "Access-Control-Allow-Origin"), new[] { Origin, "*" });
        }
    }

    [Fact]
    public async Task Error_bodies_have_the_protocol_shape()
    {
        using var http = new HttpClient { BaseAddress = new Uri(Server.BaseUrl) };
        using var response = await http.GetAsync("/v1/sdk/users/info/me");
        Assert.Equal(401, (int)response.StatusCode);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType!.ToString());
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(["code", "message", "path", "status", "timestamp"], body.Select(p => p.Key).Order());
        Assert.Equal(4003, body.Long("code"));
        Assert.Equal(401, body.Long("status"));
        Assert.Equal("/v1/sdk/users/info/me", body.Str("path"));
        // PROTOCOL §7: a string of digits.
        Assert.Matches("^[0-9]+$", body.Str("timestamp"));
        Assert.InRange(long.Parse(body.Str("timestamp")), Api.NowMs - 60_000, Api.NowMs + 1000);
    }
}
