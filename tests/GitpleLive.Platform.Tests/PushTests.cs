using System.Security.Cryptography;
using System.Text.Json;
using GitpleLive.Chat;

namespace GitpleLive.Platform.Tests;

/// <summary>Push settings and push preferences through <see cref="PlatformClient"/> and the <c>gitplelive push</c> commands.</summary>
[Collection(ConsoleCollection.Name)]
public class PushTests : ServerTest
{
    private static string ServiceAccountJson()
    {
        using var rsa = RSA.Create(2048);
        return JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["type"] = "service_account", ["project_id"] = "my-project", ["client_email"] = "push@my-project.iam.gserviceaccount.com",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(), ["token_uri"] = "https://oauth2.googleapis.com/token",
        });
    }

    private static string P8()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKeyPem();
    }

    private Task<int> RunAsync(params string[] args) =>
        Cli.Cli.Build().Parse([.. args, "--host", Server.Host, "--app-id", Server.AppId, "--api-key", Server.ApiKey]).InvokeAsync();

    [Fact]
    public async Task Providers_are_set_shown_without_secrets_and_removed()
    {
        var shown = await Client.UpdatePushSettingsAsync(new PushSettingsUpdate
        {
            Fcm = new FcmPushUpdate { ServiceAccountJson = ServiceAccountJson() },
            Apns = new ApnsPushUpdate { TeamId = "TEAM", KeyId = "KEY", BundleId = "com.example", P8Pem = P8(), Production = false },
            Webhook = new WebhookPushUpdate { Url = "https://example.com/push", Secret = "0123456789abcdef" },
        });
        Assert.Equal("my-project", shown.Fcm!.ProjectId);
        Assert.Equal("push@my-project.iam.gserviceaccount.com", shown.Fcm.ClientEmail);
        Assert.False(shown.Apns!.Production);
        Assert.Equal("https://example.com/push", shown.Webhook!.Url);

        // The key need not be sent again to change a field beside it.
        var moved = await Client.UpdatePushSettingsAsync(new PushSettingsUpdate { Apns = new ApnsPushUpdate { Production = true } });
        Assert.True(moved.Apns!.Production);
        var removed = await Client.UpdatePushSettingsAsync(new PushSettingsUpdate { Remove = ["fcm", "webhook"] });
        Assert.Null(removed.Fcm);
        Assert.Null(removed.Webhook);
        Assert.Equal("TEAM", (await Client.GetPushSettingsAsync()).Apns!.TeamId);

        var bad = await Assert.ThrowsAsync<GitpleLiveException>(() => Client.UpdatePushSettingsAsync(new PushSettingsUpdate
        {
            Fcm = new FcmPushUpdate { ServiceAccountJson = "{}" },
        }));
        Assert.Equal(1001, bad.Code);
        Assert.Contains("fcm.service_account_json", bad.Message);
    }

    [Fact]
    public async Task A_members_push_preference_is_set_and_read()
    {
        await Client.CreateUserAsync("pp-a", "A");
        await Client.CreateChannelAsync(new ChannelCreateOptions { ChannelId = "pp-room", Name = "Room", Members = ["pp-a"] });
        Assert.Equal("all", await Client.GetPushPreferenceAsync("pp-room", "pp-a"));
        await Client.SetPushPreferenceAsync("pp-room", "pp-a", "mentions");
        Assert.Equal("mentions", await Client.GetPushPreferenceAsync("pp-room", "pp-a"));
        await Client.CreateUserAsync("pp-b", "B");
        Assert.Equal(1008, (await Assert.ThrowsAsync<GitpleLiveException>(() => Client.SetPushPreferenceAsync("pp-room", "pp-b", "off"))).Code);
    }

    [Fact]
    public async Task Push_commands_set_show_and_remove_providers()
    {
        var dir = Directory.CreateTempSubdirectory("gitplelive-cli-push");
        try
        {
            var secret = Path.Combine(dir.FullName, "secret.txt");
            await File.WriteAllTextAsync(secret, "0123456789abcdef-secret\n");
            var key = Path.Combine(dir.FullName, "key.json");
            await File.WriteAllTextAsync(key, ServiceAccountJson());
            var p8 = Path.Combine(dir.FullName, "AuthKey.p8");
            await File.WriteAllTextAsync(p8, P8());

            Assert.Equal(0, await RunAsync("push", "set-webhook", "--url", "https://example.com/hook", "--secret-file", secret));
            Assert.Equal(0, await RunAsync("push", "set-fcm", "--key-file", key));
            Assert.Equal(0, await RunAsync("push", "set-apns", "--team-id", "T1", "--key-id", "K1", "--bundle-id", "com.x", "--p8-file", p8,
                "--production", "true"));
            Assert.Equal(0, await RunAsync("push", "show"));
            var settings = await Client.GetPushSettingsAsync();
            Assert.Equal(("https://example.com/hook", "my-project", "T1"), (settings.Webhook!.Url, settings.Fcm!.ProjectId, settings.Apns!.TeamId));

            Assert.Equal(0, await RunAsync("push", "remove", "webhook"));
            Assert.Null((await Client.GetPushSettingsAsync()).Webhook);
            // A bad key file is the server's 1001, exit code 1; a missing file is refused before any call.
            Assert.Equal(1, await RunAsync("push", "set-fcm", "--key-file", secret));
            Assert.Equal(1, await RunAsync("push", "set-fcm", "--key-file", Path.Combine(dir.FullName, "missing.json")));
            Assert.NotEqual(0, await RunAsync("push", "remove", "pager"));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
