using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GitpleLive.Server.Auth;
using GitpleLive.Server.Services;
using GitpleLive.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GitpleLive.Server.Tests;

/// <summary>PROTOCOL §4: session tokens, SDK tokens and the authentication of both APIs.</summary>
public class TokenTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    private HttpClient Client(string? appId, string? userId, string? bearer)
    {
        var http = new HttpClient { BaseAddress = new Uri(Server.BaseUrl) };
        if (appId is not null) http.DefaultRequestHeaders.Add("APP_ID", appId);
        if (userId is not null) http.DefaultRequestHeaders.Add("USER_ID", userId);
        if (bearer is not null) http.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        return http;
    }

    private async Task<string> NewUserAsync()
    {
        var id = Api.NewId("tok");
        await Server.CreateUserAsync(id);
        return id;
    }

    private async Task<byte[]> SecretAsync(string appId) =>
        Convert.FromBase64String((await Server.Services.GetRequiredService<AppService>().FindAsync(appId))!.TokenSecret);

    [Fact]
    public async Task Session_token_is_a_jwt_with_user_id_and_millisecond_times()
    {
        var user = await NewUserAsync();
        var before = Api.NowMs;
        var expiresAt = before + 3_600_000;
        var answer = await Server.Platform.PostJsonAsync($"/v1/users/{user}/token", new { expires_at = expiresAt });
        Assert.Equal(expiresAt, answer.Long("expires_at"));
        var payload = Api.JwtPayload(answer.Str("token"));
        Assert.Equal(user, payload.Str("user_id"));
        Assert.Equal(expiresAt, payload.Long("exp"));
        Assert.InRange(payload.Long("iat"), before - 1000, Api.NowMs + 1000);
        var header = JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(answer.Str("token").Split('.')[0]))!;
        Assert.Equal("HS256", header.Str("alg"));
    }

    [Fact]
    public async Task Session_token_without_expires_at_gets_a_future_expiry()
    {
        var user = await NewUserAsync();
        var answer = await Server.Platform.PostJsonAsync($"/v1/users/{user}/token", new { });
        Assert.True(answer.Long("expires_at") > Api.NowMs + 3_600_000);
        Assert.Equal(answer.Long("expires_at"), Api.JwtPayload(answer.Str("token")).Long("exp"));
    }

    [Fact]
    public async Task Session_token_refusals()
    {
        var user = await NewUserAsync();
        await Server.Platform.ExpectInvalidAsync(HttpMethod.Post, $"/v1/users/{user}/token", new { expires_at = Api.NowMs - 1000 }, "expires_at");
        await Server.Platform.ExpectInvalidAsync(HttpMethod.Post, $"/v1/users/{user}/token", new { expires_at = "tomorrow" }, "expires_at");
        await Server.Platform.ExpectErrorAsync(HttpMethod.Post, $"/v1/users/{Api.NewId("ghost")}/token", new { }, 404, 1004);
    }

    [Fact]
    public async Task Sdk_token_exchange_answers_a_jwt_and_works_on_sdk_routes()
    {
        var user = await NewUserAsync();
        // A week-long session: the SDK token's day is not cut short by it (an SDK token never outlives its session).
        var session = await Server.SessionTokenAsync(user, Api.NowMs + 7 * 86_400_000L);
        using var http = Client(Server.AppId, user, session);
        var before = Api.NowMs;
        var answer = await http.PostJsonAsync("/v1/sdk/users/token", new { });
        var token = answer.Str("token");
        var payload = Api.JwtPayload(token);
        Assert.Equal(user, payload.Str("user_id"));
        Assert.Equal(answer.Long("expires_at"), payload.Long("exp"));
        Assert.InRange(payload.Long("iat"), before - 1000, Api.NowMs + 1000);
        // Default lifetime: a day.
        Assert.InRange(payload.Long("exp") - payload.Long("iat"), 86_400_000 - 1, 86_400_000 + 1);

        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(user, (await http.GetJsonAsync("/v1/sdk/users/info/me")).Str("user_id"));

        // Refresh: a valid SDK token buys a new one.
        var refreshed = await http.PostJsonAsync("/v1/sdk/users/token", new { });
        Assert.Equal(user, Api.JwtPayload(refreshed.Str("token")).Str("user_id"));
    }

    [Fact]
    public async Task Sdk_token_exchange_refusals()
    {
        var user = await NewUserAsync();
        var other = await NewUserAsync();
        var session = await Server.SessionTokenAsync(user);
        const string path = "/v1/sdk/users/token";

        using (var http = Client(Server.AppId, null, session)) await http.ExpectErrorAsync(HttpMethod.Post, path, new { }, 401, 4001);
        using (var http = Client(Server.AppId, other, session)) await http.ExpectErrorAsync(HttpMethod.Post, path, new { }, 401, 4001);
        using (var http = Client(Server.AppId, user, null)) await http.ExpectErrorAsync(HttpMethod.Post, path, new { }, 401, 4001);
        using (var http = Client(Server.AppId, user, "not-a-jwt")) await http.ExpectErrorAsync(HttpMethod.Post, path, new { }, 401, 4001);
        using (var http = Client(Server.AppId, user, "a.b.c")) await http.ExpectErrorAsync(HttpMethod.Post, path, new { }, 401, 4001);
        using (var http = Client(null, user, session)) await http.ExpectErrorAsync(HttpMethod.Post, path, new { }, 401, 4003);
        using (var http = Client("no-such-app", user, session)) await http.ExpectErrorAsync(HttpMethod.Post, path, new { }, 401, 4003);

        // Forged: another user's id in the payload, the original signature kept.
        var parts = session.Split('.');
        var forgedPayload = Api.JwtPayload(session);
        forgedPayload["user_id"] = other;
        var forged = $"{parts[0]}.{System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(forgedPayload.ToJsonString()))}.{parts[2]}";
        using (var http = Client(Server.AppId, other, forged)) await http.ExpectErrorAsync(HttpMethod.Post, path, new { }, 401, 4001);
        // Signed with another key.
        var wrongKey = Jwt.Create(new Jwt.Claims(user, Server.AppId, TokenService.SessionKind, Api.NowMs, Api.NowMs + 60_000), new byte[32]);
        using (var http = Client(Server.AppId, user, wrongKey)) await http.ExpectErrorAsync(HttpMethod.Post, path, new { }, 401, 4001);
        // Expired, correctly signed.
        var secret = await SecretAsync(Server.AppId);
        var expired = Jwt.Create(new Jwt.Claims(user, Server.AppId, TokenService.SessionKind, Api.NowMs - 120_000, Api.NowMs - 60_000), secret);
        using (var http = Client(Server.AppId, user, expired)) await http.ExpectErrorAsync(HttpMethod.Post, path, new { }, 401, 4001);
        // The body, when present, must be a JSON object.
        using (var http = Client(Server.AppId, user, session)) await http.ExpectErrorAsync(HttpMethod.Post, path, "[1]", 400, 1001);
    }

    [Theory]
    [InlineData("{\"user_id\":\"u\",\"app_id\":\"a\",\"typ\":\"sdk\",\"iat\":\"x\",\"exp\":1}")]
    [InlineData("{\"user_id\":\"u\",\"app_id\":\"a\",\"typ\":\"sdk\",\"iat\":1,\"exp\":\"never\"}")]
    [InlineData("{\"user_id\":\"u\",\"app_id\":\"a\",\"typ\":\"sdk\",\"iat\":1,\"exp\":1e40}")]
    [InlineData("{\"user_id\":5,\"app_id\":\"a\",\"typ\":\"sdk\",\"iat\":1,\"exp\":2}")]
    [InlineData("{\"user_id\":\"\\ud800\",\"app_id\":\"a\",\"typ\":\"sdk\",\"iat\":1,\"exp\":2}")]
    [InlineData("[1,2,3]")]
    [InlineData("not json")]
    public async Task Malformed_token_payloads_are_4001_not_500(string payload)
    {
        var header = System.Buffers.Text.Base64Url.EncodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8);
        var token = $"{header}.{System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(payload))}.c2ln";
        using (var http = Client(Server.AppId, "u", token))
        {
            await http.ExpectErrorAsync(HttpMethod.Get, "/v1/sdk/users/info/me", null, 401, 4001);
            await http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/users/token", new { }, 401, 4001);
        }
    }

    [Fact]
    public async Task Sdk_routes_refuse_bad_credentials()
    {
        using var alice = await Server.SdkUserAsync(Api.NewId("alice"));
        var bob = await NewUserAsync();
        const string path = "/v1/sdk/users/info/me";

        using (var http = Client(Server.AppId, alice.UserId, null)) await http.ExpectErrorAsync(HttpMethod.Get, path, null, 401, 4001);
        // A session token is not an SDK token.
        using (var http = Client(Server.AppId, alice.UserId, alice.SessionToken)) await http.ExpectErrorAsync(HttpMethod.Get, path, null, 401, 4001);
        // USER_ID must match the token's user.
        using (var http = Client(Server.AppId, bob, alice.SdkToken)) await http.ExpectErrorAsync(HttpMethod.Get, path, null, 401, 4001);
        using (var http = Client(Server.AppId, null, alice.SdkToken)) await http.ExpectErrorAsync(HttpMethod.Get, path, null, 401, 4001);
        // Tampered signature.
        var tampered = alice.SdkToken[..^2] + (alice.SdkToken[^2] == 'A' ? "BB" : "AA");
        using (var http = Client(Server.AppId, alice.UserId, tampered)) await http.ExpectErrorAsync(HttpMethod.Get, path, null, 401, 4001);
        using (var http = Client("no-such-app", alice.UserId, alice.SdkToken)) await http.ExpectErrorAsync(HttpMethod.Get, path, null, 401, 4003);
        using (var http = Client(null, alice.UserId, alice.SdkToken)) await http.ExpectErrorAsync(HttpMethod.Get, path, null, 401, 4003);
        // Still fine with the right headers.
        await alice.Http.GetJsonAsync(path);
    }

    [Fact]
    public async Task Deleted_user_token_is_refused()
    {
        using var carol = await Server.SdkUserAsync(Api.NewId("carol"));
        await carol.Http.GetJsonAsync("/v1/sdk/users/info/me");
        await Server.Platform.DeleteJsonAsync($"/v1/users/{carol.UserId}");
        await carol.Http.ExpectErrorAsync(HttpMethod.Get, "/v1/sdk/users/info/me", null, 401, 4001);
        using var http = Client(Server.AppId, carol.UserId, carol.SessionToken);
        await http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/users/token", new { }, 401, 4001);
    }

    [Fact]
    public async Task Platform_api_refuses_unknown_app_and_wrong_key()
    {
        async Task Expect(string? appId, string? key)
        {
            using var http = new HttpClient { BaseAddress = new Uri(Server.BaseUrl) };
            if (appId is not null) http.DefaultRequestHeaders.Add("APP_ID", appId);
            if (key is not null) http.DefaultRequestHeaders.Add("APP_API_KEY", key);
            await http.ExpectErrorAsync(HttpMethod.Get, "/v1/users", null, 401, 4003);
        }
        await Expect(Server.AppId, "wrong-key");
        await Expect(Server.AppId, null);
        await Expect("no-such-app", Server.ApiKey);
        await Expect(null, Server.ApiKey);
        await Server.Platform.GetJsonAsync("/v1/users");
    }

    [Fact]
    public async Task A_token_of_one_app_never_works_for_another()
    {
        var apps = Server.Services.GetRequiredService<AppService>();
        var otherAppId = Api.NewId("app2");
        await apps.CreateAsync(otherAppId, "second", "key-" + otherAppId, allowTokenless: false);
        using var otherPlatform = new HttpClient { BaseAddress = new Uri(Server.BaseUrl) };
        otherPlatform.DefaultRequestHeaders.Add("APP_ID", otherAppId);
        otherPlatform.DefaultRequestHeaders.Add("APP_API_KEY", "key-" + otherAppId);

        // The same user id exists in both apps.
        using var alice = await Server.SdkUserAsync(Api.NewId("alice"));
        await otherPlatform.PostJsonAsync("/v1/users", new { user_id = alice.UserId, name = "Alice 2" });

        // The first app's API key does not open the second app.
        using (var http = new HttpClient { BaseAddress = new Uri(Server.BaseUrl) })
        {
            http.DefaultRequestHeaders.Add("APP_ID", otherAppId);
            http.DefaultRequestHeaders.Add("APP_API_KEY", Server.ApiKey);
            await http.ExpectErrorAsync(HttpMethod.Get, "/v1/users", null, 401, 4003);
        }
        // Session and SDK tokens of the first app are refused by the second.
        using (var http = Client(otherAppId, alice.UserId, alice.SessionToken))
            await http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/users/token", new { }, 401, 4001);
        using (var http = Client(otherAppId, alice.UserId, alice.SdkToken))
        {
            await http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/users/token", new { }, 401, 4001);
            await http.ExpectErrorAsync(HttpMethod.Get, "/v1/sdk/users/info/me", null, 401, 4001);
        }
        // And the second app's own token works there, and not in the first app.
        var session2 = (await otherPlatform.PostJsonAsync($"/v1/users/{alice.UserId}/token", new { })).Str("token");
        using (var http = Client(otherAppId, alice.UserId, session2))
        {
            var sdk2 = (await http.PostJsonAsync("/v1/sdk/users/token", new { })).Str("token");
            http.DefaultRequestHeaders.Authorization = new("Bearer", sdk2);
            Assert.Equal("Alice 2", (await http.GetJsonAsync("/v1/sdk/users/info/me")).Str("name"));
            using var back = Client(Server.AppId, alice.UserId, sdk2);
            await back.ExpectErrorAsync(HttpMethod.Get, "/v1/sdk/users/info/me", null, 401, 4001);
        }
    }

    [Fact]
    public async Task Tokenless_exchange_is_refused_unless_the_app_allows_it()
    {
        var user = Api.NewId("anon");
        var clientId = $"{Server.AppId}::{user}::1.1.0::{Api.NowMs}::127.0.0.1";
        const string path = "/v1/sdk/users/token/by_client_id";
        using (var http = Client(Server.AppId, user, null))
            await http.ExpectErrorAsync(HttpMethod.Post, path, new { clientId }, 401, 4001);
        using (var http = Client(null, user, null))
            await http.ExpectErrorAsync(HttpMethod.Post, path, new { clientId }, 401, 4003);
        // The user was not created by the refused call.
        await Server.Platform.ExpectErrorAsync(HttpMethod.Get, $"/v1/users/{user}", null, 404, 1004);
    }

    /// <summary>The one token expiry on the real clock; <see cref="Sdk_token_is_valid_until_exp_on_the_server_clock"/> moves a fake clock on.</summary>
    [Fact]
    public async Task Sdk_token_expires_after_its_configured_lifetime()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["GitpleLive:SdkTokenLifetime"] = "00:00:02" });
        using var alice = await server.SdkUserAsync("alice");
        var payload = Api.JwtPayload(alice.SdkToken);
        Assert.Equal(2000, payload.Long("exp") - payload.Long("iat"));
        await alice.Http.GetJsonAsync("/v1/sdk/users/info/me");
        var wait = payload.Long("exp") - Api.NowMs + 200;
        if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait));
        await TokenExpiryTests.AssertExpiredButSessionExchangesAsync(alice);
    }
}

/// <summary>Token expiry on the server's clock, which the test moves on instead of waiting.</summary>
public class TokenExpiryTests
{
    [Fact]
    public async Task Sdk_token_is_valid_until_exp_on_the_server_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["GitpleLive:SdkTokenLifetime"] = "00:00:03" }, time: clock);
        using var alice = await server.SdkUserAsync("alice");
        var payload = Api.JwtPayload(alice.SdkToken);
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds(), payload.Long("iat"));
        Assert.Equal(3000, payload.Long("exp") - payload.Long("iat"));
        clock.Advance(TimeSpan.FromMilliseconds(2999));
        await alice.Http.GetJsonAsync("/v1/sdk/users/info/me");
        clock.Advance(TimeSpan.FromMilliseconds(1));
        // The session token still exchanges, for a token that runs from the server's now.
        var fresh = Api.JwtPayload(await AssertExpiredButSessionExchangesAsync(alice));
        Assert.Equal(payload.Long("exp"), fresh.Long("iat"));
    }

    /// <summary>
    /// The user's SDK token is refused (4001) and cannot be refreshed either; the session token still exchanges
    /// for a fresh SDK token, which this returns.
    /// </summary>
    internal static async Task<string> AssertExpiredButSessionExchangesAsync(SdkUser user)
    {
        await user.Http.ExpectErrorAsync(HttpMethod.Get, "/v1/sdk/users/info/me", null, 401, 4001);
        // The sleeping phone (docs/PROTOCOL-CHOICES.md): the expired SDK token of a live session still refreshes.
        await user.Http.PostJsonAsync("/v1/sdk/users/token", new { });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/sdk/users/token") { Content = JsonContent.Create(new { }) };
        request.Headers.Authorization = new("Bearer", user.SessionToken);
        using var response = await user.Http.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenBody>())!.Token;
    }

    private sealed record TokenBody(string Token);
}

/// <summary>The tokenless path when the app allows it: still refused without a live MQTT client id.</summary>
public class TokenlessTests
{
    [Fact]
    public async Task Allowed_app_still_refuses_unknown_client_ids_and_missing_fields()
    {
        await using var server = await TestServer.StartAsync();
        await server.Platform.PutJsonAsync("/v1/app", new { allow_tokenless = true });
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        http.DefaultRequestHeaders.Add("APP_ID", server.AppId);
        http.DefaultRequestHeaders.Add("USER_ID", "anon");
        const string path = "/v1/sdk/users/token/by_client_id";
        await http.ExpectErrorAsync(HttpMethod.Post, path, new { clientId = $"{server.AppId}::anon::1.1.0::1::127.0.0.1" }, 401, 4001);
        await http.ExpectInvalidAsync(HttpMethod.Post, path, new { }, "clientId");
        await http.ExpectInvalidAsync(HttpMethod.Post, path, new { clientId = 5 }, "clientId");
        await server.Platform.ExpectErrorAsync(HttpMethod.Get, "/v1/users/anon", null, 404, 1004);
    }
}
