using GitpleLive.Chat;
using GitpleLive.Server.Services;
using GitpleLive.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Server.Tests.Mobile;

/// <summary>PROTOCOL §9: <c>POST</c>/<c>DELETE /v1/sdk/users/device_token</c> as the mobile SDKs call them.</summary>
public class DeviceTokenTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    [Fact]
    public Task Tokens_are_stored_per_device_move_between_users_and_are_forgotten_on_logout_sqlite() => ScenarioAsync(fx.Server);

    [SkippableFact]
    public async Task Tokens_are_stored_per_device_move_between_users_and_are_forgotten_on_logout_postgres()
    {
        var reason = await ExternalServices.PostgresUnavailableAsync();
        if (reason is not null)
        {
            Assert.False(ExternalServices.InCi, reason);
            Skip.If(true, reason);
        }
        var db = await ExternalServices.CreatePostgresDatabaseAsync();
        try
        {
            await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
            {
                ["GitpleLive:StorageProvider"] = "postgres",
                ["GitpleLive:ConnectionString"] = db,
            });
            await ScenarioAsync(server);
        }
        finally
        {
            await ExternalServices.DropPostgresDatabaseAsync(db);
        }
    }

    private static async Task<MobileDevice> PhoneAsync(TestServer server, bool ios)
    {
        var id = Api.NewId(ios ? "ios" : "and");
        await server.CreateUserAsync(id);
        var phone = new MobileDevice(server, id, ios);
        await phone.ConnectAsync(await server.SessionTokenAsync(id));
        return phone;
    }

    private static async Task ScenarioAsync(TestServer server)
    {
        var tokens = server.Services.GetRequiredService<DeviceTokenService>();
        var android = await PhoneAsync(server, ios: false);
        var fcm = "fcm:" + Guid.NewGuid().ToString("N") + new string('x', 120);
        var answer = await android.SendAsync(HttpMethod.Post, "/v1/sdk/users/device_token",
            $$"""{"clientId":"{{android.ClientId()}}","token":"{{fcm}}"}""");
        Assert.Equal(200, answer.Status);
        Assert.Equal("{}", answer.Text);
        var stored = Assert.Single(await tokens.ForUserAsync(server.AppId, android.UserId));
        Assert.Equal((fcm, "android", android.DeviceUuid), (stored.Token, stored.Platform, stored.DeviceId));

        // A reconnect of the same device (new connect_ms) with a new token replaces the row.
        var fcm2 = "fcm2:" + Guid.NewGuid().ToString("N");
        await android.OkAsync(HttpMethod.Post, "/v1/sdk/users/device_token", $$"""{"clientId":"{{android.ClientId()}}","token":"{{fcm2}}"}""");
        Assert.Equal(fcm2, Assert.Single(await tokens.ForUserAsync(server.AppId, android.UserId)).Token);

        // iOS with an IPv6 address in its client id (it contains "::"); no body shape difference.
        var ios = await PhoneAsync(server, ios: true);
        var iosId = ios.ClientId("fe80::1c2b:3ff:fe4d:5e6f");
        await ios.OkAsync(HttpMethod.Post, "/v1/sdk/users/device_token", $$"""{"clientId":"{{iosId}}","token":"{{fcm}}"}""");
        var iosRow = Assert.Single(await tokens.ForUserAsync(server.AppId, ios.UserId));
        Assert.Equal(("ios", ios.DeviceUuid), (iosRow.Platform, iosRow.DeviceId));

        // The same token registered by another user moves: the old owner no longer has it.
        await ios.OkAsync(HttpMethod.Post, "/v1/sdk/users/device_token", $$"""{"clientId":"{{iosId}}","token":"{{fcm2}}"}""");
        Assert.Empty(await tokens.ForUserAsync(server.AppId, android.UserId));
        Assert.Equal(fcm2, Assert.Single(await tokens.ForUserAsync(server.AppId, ios.UserId)).Token);

        // Logout: OkHttp's DELETE with a body, with a client id of an earlier connection of the same device.
        var earlier = iosId.Replace("::v1.0.0::", "::v1.0.0::1::");
        await ios.OkAsync(HttpMethod.Delete, "/v1/sdk/users/device_token", $$"""{"clientId":"{{earlier}}"}""",
            "application/json; charset=utf-8");
        Assert.Empty(await tokens.ForUserAsync(server.AppId, ios.UserId));
        // Forgetting again is fine.
        await ios.OkAsync(HttpMethod.Delete, "/v1/sdk/users/device_token", $$"""{"clientId":"{{iosId}}"}""");

        // Refusals name the field, in the error shape the SDKs read.
        var noToken = await android.SendAsync(HttpMethod.Post, "/v1/sdk/users/device_token", $$"""{"clientId":"{{android.ClientId()}}"}""");
        Assert.Equal(400, noToken.Status);
        StrictShapes.Error(noToken.Json, GitpleLiveErrorCode.InvalidParameters);
        Assert.Contains("token", noToken.Json.GetProperty("message").GetString());
        var noClient = await android.SendAsync(HttpMethod.Post, "/v1/sdk/users/device_token", """{"token":"t"}""");
        Assert.Contains("clientId", noClient.Json.GetProperty("message").GetString());
        var someoneElse = await android.SendAsync(HttpMethod.Post, "/v1/sdk/users/device_token",
            $$"""{"clientId":"{{ios.ClientId()}}","token":"t"}""");
        Assert.Equal(400, someoneElse.Status);
        Assert.Contains("clientId", someoneElse.Json.GetProperty("message").GetString());
        var anonymous = new MobileDevice(server, android.UserId, ios: false);
        var unauthorized = await anonymous.SendAsync(HttpMethod.Post, "/v1/sdk/users/device_token", """{"clientId":"c","token":"t"}""");
        Assert.Equal(401, unauthorized.Status);

        // Deleting a user forgets their devices.
        await android.OkAsync(HttpMethod.Post, "/v1/sdk/users/device_token", $$"""{"clientId":"{{android.ClientId()}}","token":"{{fcm}}"}""");
        var deleted = await server.Platform.DeleteAsync($"/v1/users/{android.UserId}");
        Assert.True(deleted.IsSuccessStatusCode);
        Assert.Empty(await tokens.ForUserAsync(server.AppId, android.UserId));
    }
}
