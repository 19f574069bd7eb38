using GitpleLive.Server.Auth;
using GitpleLive.Server.Events;
using GitpleLive.Server.Services;
using MQTTnet;
using MQTTnet.Formatter;

namespace GitpleLive.Realtime.Tests;

/// <summary>CONNECT: user name = user id, password = SDK token of the app named in the client id (PROTOCOL §4, §6).</summary>
public sealed class ConnectTests(RealtimeServer server) : IClassFixture<RealtimeServer>
{
    private static async Task<MqttClientConnectResultCode> RefusedAsync(Func<Task> connect)
    {
        var e = await Assert.ThrowsAsync<ConnectRefusedException>(connect);
        return e.Code;
    }

    [Theory]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    [InlineData(MqttProtocolVersion.V310)]
    public async Task Valid_token_is_accepted(MqttProtocolVersion version)
    {
        var (user, token) = await server.NewUserAsync();
        await using var client = await server.ConnectAsync(RealtimeServer.AppId, user, token, version);
        Assert.True(client.Mqtt.IsConnected);
    }

    [Fact]
    public async Task Forged_token_is_refused_with_bad_user_name_or_password()
    {
        var (user, token) = await server.NewUserAsync();
        var forged = token[..^4] + (token.EndsWith("AAAA") ? "BBBB" : "AAAA");
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await RefusedAsync(() => server.ConnectAsync(RealtimeServer.AppId, user, forged)));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await RefusedAsync(() => server.ConnectAsync(RealtimeServer.AppId, user, "not-a-token")));
    }

    [Fact]
    public async Task Expired_token_is_refused()
    {
        var user = await server.CreateUserAsync(RealtimeServer.AppId, RealtimeServer.NewId("u"));
        var app = (await server.Service<AppService>().FindAsync(RealtimeServer.AppId))!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var expired = Jwt.Create(new Jwt.Claims(user, app.AppId, TokenService.SdkKind, now - 7_200_000, now - 3_600_000), Convert.FromBase64String(app.TokenSecret));
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await RefusedAsync(() => server.ConnectAsync(RealtimeServer.AppId, user, expired)));
    }

    [Fact]
    public async Task Session_token_is_not_an_sdk_token()
    {
        var user = await server.CreateUserAsync(RealtimeServer.AppId, RealtimeServer.NewId("u"));
        var app = (await server.Service<AppService>().FindAsync(RealtimeServer.AppId))!;
        var session = await server.Service<TokenService>().IssueSessionTokenAsync(ChatCaller.Platform(app), user, null);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await RefusedAsync(() => server.ConnectAsync(RealtimeServer.AppId, user, session.Token)));
    }

    [Fact]
    public async Task Token_of_another_app_is_refused()
    {
        // Same user id in both apps; the token is the other app's.
        var userId = RealtimeServer.NewId("u");
        await server.CreateUserAsync(RealtimeServer.AppId, userId);
        await server.CreateUserAsync(RealtimeServer.OtherAppId, userId);
        var otherToken = await server.SdkTokenAsync(RealtimeServer.OtherAppId, userId);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await RefusedAsync(() => server.ConnectAsync(RealtimeServer.AppId, userId, otherToken)));
        await using var ok = await server.ConnectAsync(RealtimeServer.OtherAppId, userId, otherToken);
    }

    [Fact]
    public async Task Token_of_another_user_is_refused()
    {
        var (alice, aliceToken) = await server.NewUserAsync();
        var (bob, _) = await server.NewUserAsync();
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await RefusedAsync(() => server.ConnectAsync(RealtimeServer.AppId, bob, aliceToken)));
        _ = alice;
    }

    [Fact]
    public async Task Client_id_user_must_equal_user_name()
    {
        var (alice, aliceToken) = await server.NewUserAsync();
        var (bob, _) = await server.NewUserAsync();
        // Alice's credentials, but the client id claims Bob.
        var clientId = RealtimeServer.ClientIdOf(RealtimeServer.AppId, bob);
        Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, await RefusedAsync(() => server.ConnectAsync(RealtimeServer.AppId, alice, aliceToken, clientId: clientId)));
    }

    [Fact]
    public async Task Unknown_app_is_not_authorized()
    {
        var (user, token) = await server.NewUserAsync();
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await RefusedAsync(
            () => server.ConnectAsync("no-such-app", user, token, clientId: RealtimeServer.ClientIdOf("no-such-app", user))));
    }

    [Fact]
    public async Task Malformed_client_id_is_refused()
    {
        var (user, token) = await server.NewUserAsync();
        Assert.Equal(MqttClientConnectResultCode.ClientIdentifierNotValid, await RefusedAsync(() => server.ConnectAsync(RealtimeServer.AppId, user, token, clientId: "just-a-name")));
    }

    [Fact]
    public async Task Tokenless_is_refused_when_the_app_does_not_allow_it()
    {
        var (user, _) = await server.NewUserAsync();
        Assert.Equal(MqttClientConnectResultCode.NotAuthorized, await RefusedAsync(() => server.ConnectAsync(RealtimeServer.AppId, user, "")));
    }

    [Fact]
    public async Task Tokenless_is_accepted_when_the_app_allows_it_and_counts_as_connected()
    {
        // The user does not exist yet: tokenless users are created when they ask for their token.
        var user = RealtimeServer.NewId("guest");
        var clientId = RealtimeServer.ClientIdOf(RealtimeServer.TokenlessAppId, user);
        await using var client = await server.ConnectAsync(RealtimeServer.TokenlessAppId, user, "", clientId: clientId);
        Assert.True(await server.Service<IPresence>().IsClientConnectedAsync(RealtimeServer.TokenlessAppId, user, clientId));

        // And a tokenless client still hears only its own topic.
        client.AppId = RealtimeServer.TokenlessAppId;
        await client.SubscribeOkAsync(Topics.User(RealtimeServer.TokenlessAppId, user));
        Assert.Equal(MqttClientSubscribeResultCode.UnspecifiedError, await client.SubscribeAsync(Topics.User(RealtimeServer.TokenlessAppId, "someone-else")));
    }

    [Fact]
    public async Task Plain_http_request_to_the_endpoint_is_told_to_upgrade()
    {
        using var http = new HttpClient();
        var response = await http.GetAsync(server.BaseUrl + "/ws");
        Assert.Equal(System.Net.HttpStatusCode.UpgradeRequired, response.StatusCode);
    }
}
