using System.Text.Json.Nodes;
using GitpleLive.TestHost;
using Microsoft.Extensions.Time.Testing;
using MQTTnet;
using MQTTnet.Formatter;

namespace GitpleLive.Server.Tests.Mobile;

/// <summary>
/// PROTOCOL §9 and docs/PROTOCOL-CHOICES.md, the sleeping phone: an SDK token that expired while the phone slept
/// still lets it back in on MQTT CONNECT and <c>POST /v1/sdk/users/token</c>, within <c>SdkTokenGrace</c> past its
/// expiry and only while its session token is valid, the session is not revoked and the user exists.
/// </summary>
public class SleepingPhoneTests
{
    private const long Hour = 3_600_000;

    private sealed record Phone(TestServer Server, FakeTimeProvider Clock, string UserId, string SdkToken, long SessionExpiresAt)
        : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }

    /// <summary>A server on a fake clock (SDK tokens 24 h, grace 7 days) and a user whose session token lasts <paramref name="sessionHours"/>.</summary>
    private static async Task<Phone> StartAsync(long sessionHours)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["GitpleLive:SdkTokenLifetime"] = "1.00:00:00",
            ["GitpleLive:SdkTokenGrace"] = "7.00:00:00",
        }, time: clock);
        var user = Api.NewId("sleepy");
        await server.CreateUserAsync(user);
        var sessionEnd = clock.GetUtcNow().ToUnixTimeMilliseconds() + sessionHours * Hour;
        var session = await server.SessionTokenAsync(user, sessionEnd);
        var sdk = (await TokenAsync(server, user, session)).Token!;
        return new Phone(server, clock, user, sdk, sessionEnd);
    }

    /// <summary><c>POST /v1/sdk/users/token</c> as Android sends it (<c>{}</c>); returns the token or the error code.</summary>
    private static async Task<(string? Token, long ExpiresAt, int Code)> TokenAsync(TestServer server, string user, string bearer)
    {
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/sdk/users/token") { Content = new StringContent("{}") };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("APP_ID", server.AppId);
        request.Headers.TryAddWithoutValidation("USER_ID", user);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        using var response = await http.SendAsync(request);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return response.IsSuccessStatusCode
            ? (body.Str("token"), body.Long("expires_at"), 0)
            : (null, 0, (int)body.Long("code"));
    }

    /// <summary>An MQTT CONNECT like Paho's (3.1.1, clean session, Android client id); returns the CONNACK code.</summary>
    private static async Task<MqttClientConnectResultCode> ConnectAsync(TestServer server, string user, string password,
        MqttProtocolVersion version = MqttProtocolVersion.V311)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithWebSocketServer(o => o.WithUri(server.WebSocketUrl))
            .WithClientId($"{server.AppId}::{user}::v1.0.0::1::127.0.0.1::android::{Guid.NewGuid()}")
            .WithCredentials(user, password)
            .WithProtocolVersion(version)
            .WithCleanSession()
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
        var result = await client.ConnectAsync(options);
        if (result.ResultCode == MqttClientConnectResultCode.Success) await client.DisconnectAsync();
        return result.ResultCode;
    }

    private static async Task<int> RestStatusAsync(Phone p, string token)
    {
        using var http = new HttpClient { BaseAddress = new Uri(p.Server.BaseUrl) };
        http.DefaultRequestHeaders.Add("APP_ID", p.Server.AppId);
        http.DefaultRequestHeaders.Add("USER_ID", p.UserId);
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var response = await http.GetAsync("/v1/sdk/users/info/me");
        return (int)response.StatusCode;
    }

    [Fact]
    public async Task A_phone_that_slept_past_its_sdk_token_gets_back_in_while_its_session_lives()
    {
        await using var p = await StartAsync(sessionHours: 72);
        p.Clock.Advance(TimeSpan.FromHours(30)); // asleep: no refresh ran, the token expired 6 hours ago
        Assert.Equal(401, await RestStatusAsync(p, p.SdkToken)); // REST calls are not part of the grace
        // Paho retries the same password: accepted. So is the 3.1 fallback.
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectAsync(p.Server, p.UserId, p.SdkToken));
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectAsync(p.Server, p.UserId, p.SdkToken, MqttProtocolVersion.V310));
        // The refresh with the expired token gives a fresh one that carries the session's end and lasts a day.
        var (fresh, exp, _) = await TokenAsync(p.Server, p.UserId, p.SdkToken);
        Assert.NotNull(fresh);
        var now = p.Clock.GetUtcNow().ToUnixTimeMilliseconds();
        Assert.Equal(now + 24 * Hour, exp);
        Assert.Equal(p.SessionExpiresAt, Api.JwtPayload(fresh!).Long("sexp"));
        Assert.Equal(200, await RestStatusAsync(p, fresh!));
    }

    [Fact]
    public async Task Refreshing_with_an_sdk_token_never_outlives_the_session_token()
    {
        await using var p = await StartAsync(sessionHours: 30);
        p.Clock.Advance(TimeSpan.FromHours(20));
        var (refreshed, exp, _) = await TokenAsync(p.Server, p.UserId, p.SdkToken);
        Assert.Equal(p.SessionExpiresAt, exp); // capped: 10 hours left, not 24
        Assert.Equal(p.SessionExpiresAt, Api.JwtPayload(refreshed!).Long("exp"));
        var (again, exp2, _) = await TokenAsync(p.Server, p.UserId, refreshed!);
        Assert.Equal(p.SessionExpiresAt, exp2);
        // Once the session token has expired, nothing from it gets in: not the refresh, not CONNECT.
        p.Clock.Advance(TimeSpan.FromHours(10));
        Assert.Equal(4001, (await TokenAsync(p.Server, p.UserId, again!)).Code);
        Assert.Equal(4001, (await TokenAsync(p.Server, p.UserId, p.SdkToken)).Code);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync(p.Server, p.UserId, again!));
    }

    [Fact]
    public async Task The_grace_ends_after_its_bound_even_with_a_live_session()
    {
        await using var p = await StartAsync(sessionHours: 24 * 30);
        p.Clock.Advance(TimeSpan.FromHours(24 + 7 * 24) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(MqttClientConnectResultCode.Success, await ConnectAsync(p.Server, p.UserId, p.SdkToken));
        p.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync(p.Server, p.UserId, p.SdkToken));
        Assert.Equal(4001, (await TokenAsync(p.Server, p.UserId, p.SdkToken)).Code);
    }

    [Fact]
    public async Task A_revoked_session_or_a_deleted_user_never_gets_back_in()
    {
        await using var p = await StartAsync(sessionHours: 72);
        p.Clock.Advance(TimeSpan.FromHours(30));
        using (var revoke = await p.Server.Platform.DeleteAsync($"/v1/users/{p.UserId}/token"))
            Assert.Equal(200, (int)revoke.StatusCode);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync(p.Server, p.UserId, p.SdkToken));
        Assert.Equal(4001, (await TokenAsync(p.Server, p.UserId, p.SdkToken)).Code);
        // A session token issued after the revocation works.
        p.Clock.Advance(TimeSpan.FromMilliseconds(1));
        var session = await p.Server.SessionTokenAsync(p.UserId, p.Clock.GetUtcNow().ToUnixTimeMilliseconds() + 72 * Hour);
        var (sdk, _, _) = await TokenAsync(p.Server, p.UserId, session);
        Assert.NotNull(sdk);
        // Revoking an unknown user is a 404 in the protocol's shape.
        await p.Server.Platform.ExpectErrorAsync(HttpMethod.Delete, $"/v1/users/{Api.NewId("ghost")}/token", null, 404, 1004);

        // The user is deleted while the phone sleeps: its token, valid or expired, is refused.
        p.Clock.Advance(TimeSpan.FromHours(30));
        using (var deleted = await p.Server.Platform.DeleteAsync($"/v1/users/{p.UserId}"))
            Assert.True(deleted.IsSuccessStatusCode);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await ConnectAsync(p.Server, p.UserId, sdk!));
        Assert.Equal(4001, (await TokenAsync(p.Server, p.UserId, sdk!)).Code);
    }
}
