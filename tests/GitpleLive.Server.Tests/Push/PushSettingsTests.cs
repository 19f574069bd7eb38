using System.Net.Http.Json;
using GitpleLive.Server.Services;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Server.Tests.Push;

/// <summary>PROTOCOL §10 GET / PUT <c>/v1/app/push</c>: Platform API only, secrets write-only, bad keys refused by name.</summary>
public class PushSettingsTests
{
    [Fact]
    public async Task Secrets_are_masked_kept_when_left_out_and_a_provider_is_removed_with_null()
    {
        await using var world = await PushWorld.StartAsync();
        var shown = (await world.ConfigureAsync(new { fcm = world.FcmBlock, apns = world.ApnsBlock, webhook = world.WebhookBlock }))!;
        foreach (var answer in new[] { shown, (await world.Server.Platform.GetJsonAsync("/v1/app/push"))! })
        {
            var text = answer.ToJsonString();
            Assert.DoesNotContain("PRIVATE KEY", text);
            Assert.DoesNotContain(PushWorld.WebhookSecret, text);
            Assert.Equal("********", answer["fcm"]!["service_account_json"]!.GetValue<string>());
            Assert.Equal("push@test-project.iam.gserviceaccount.com", answer["fcm"]!["client_email"]!.GetValue<string>());
            Assert.Equal("test-project", answer["fcm"]!["project_id"]!.GetValue<string>());
            Assert.Equal("********", answer["apns"]!["p8_pem"]!.GetValue<string>());
            Assert.Equal(PushWorld.TeamId, answer["apns"]!["team_id"]!.GetValue<string>());
            Assert.True(answer["apns"]!["production"]!.GetValue<bool>());
            Assert.Equal("********", answer["webhook"]!["secret"]!.GetValue<string>());
        }

        // A PUT without the secret keeps the stored one: pushes still verify with it.
        await world.ConfigureAsync(new { webhook = new { url = $"{world.Webhook.BaseUrl}/moved" }, fcm = (object?)null, apns = (object?)null });
        var after = (await world.Server.Platform.GetJsonAsync("/v1/app/push"))!;
        Assert.Null(after["fcm"]);
        Assert.Null(after["apns"]);
        Assert.EndsWith("/moved", after["webhook"]!["url"]!.GetValue<string>());
        var sender = await world.UserAsync("snd", "android");
        var other = await world.UserAsync("oth", "android");
        await PushWorld.SendAsync(sender, await world.ChannelAsync("Room", sender, other), "hi");
        var push = Assert.Single(await world.Webhook.WaitForAsync(1));
        Assert.Equal("/moved", push.Path);
        Assert.True(FakeKeys.IsSigned(push, PushWorld.WebhookSecret));

        // Leaving a block out changes nothing.
        await world.ConfigureAsync(new { });
        Assert.NotNull((await world.Server.Platform.GetJsonAsync("/v1/app/push"))!["webhook"]);
    }

    [Fact]
    public async Task Bad_provider_settings_are_refused_naming_the_field_and_store_nothing()
    {
        await using var world = await PushWorld.StartAsync();
        var platform = world.Server.Platform;
        const string path = "/v1/app/push";
        await platform.ExpectInvalidAsync(HttpMethod.Put, path, new { fcm = new { project_id = "p", service_account_json = "{not json" } },
            "fcm.service_account_json");
        await platform.ExpectInvalidAsync(HttpMethod.Put, path, new { fcm = new { project_id = "p", service_account_json = """{"a":1}""" } },
            "fcm.service_account_json");
        await platform.ExpectInvalidAsync(HttpMethod.Put, path, new
        {
            fcm = new { project_id = "p", service_account_json = """{"client_email":"x@y","private_key":"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"}""" },
        }, "private_key");
        await platform.ExpectInvalidAsync(HttpMethod.Put, path, new { fcm = new { project_id = "p" } }, "fcm.service_account_json");
        await platform.ExpectInvalidAsync(HttpMethod.Put, path, new { fcm = "yes" }, "fcm");
        await platform.ExpectInvalidAsync(HttpMethod.Put, path,
            new { apns = new { team_id = "T", key_id = "K", bundle_id = "b", p8_pem = "not a key", production = false } }, "apns.p8_pem");
        await platform.ExpectInvalidAsync(HttpMethod.Put, path,
            new { apns = new { team_id = "T", key_id = "K", bundle_id = "b", p8_pem = FakeKeys.P8Pem } }, "apns.production");
        await platform.ExpectInvalidAsync(HttpMethod.Put, path,
            new { apns = new { key_id = "K", bundle_id = "b", p8_pem = FakeKeys.P8Pem, production = false } }, "apns.team_id");
        await platform.ExpectInvalidAsync(HttpMethod.Put, path, new { webhook = new { url = "ftp://x", secret = PushWorld.WebhookSecret } },
            "webhook.url");
        await platform.ExpectInvalidAsync(HttpMethod.Put, path, new { webhook = new { url = "https://example.com/p", secret = "short" } },
            "webhook.secret");
        // One bad block refuses the whole PUT: the good webhook block beside it is not stored.
        await platform.ExpectInvalidAsync(HttpMethod.Put, path, new { webhook = world.WebhookBlock, apns = new { p8_pem = "x" } }, "apns.p8_pem");
        var stored = (await platform.GetJsonAsync(path))!;
        Assert.Null(stored["webhook"]);
        Assert.Null(stored["fcm"]);
    }

    [Fact]
    public async Task Push_settings_are_the_Platform_APIs_alone_and_each_apps_own()
    {
        await using var world = await PushWorld.StartAsync();
        await world.ConfigureAsync(new { webhook = world.WebhookBlock });
        var user = await world.UserAsync("usr", "android");
        // An SDK caller has no such route, and SDK credentials do not open the Platform API.
        await user.Http.ExpectErrorAsync(HttpMethod.Get, "/v1/sdk/app/push", null, 404, 1002);
        using var sdkOnPlatform = new HttpRequestMessage(HttpMethod.Get, "/v1/app/push");
        var refused = await user.Http.SendAsync(sdkOnPlatform);
        Assert.Equal(401, (int)refused.StatusCode);

        var other = await world.Server.Services.GetRequiredService<AppService>().CreateAsync(null, "other", null, false);
        using var otherApp = new HttpClient { BaseAddress = new Uri(world.Server.BaseUrl) };
        otherApp.DefaultRequestHeaders.Add("APP_ID", other.AppId);
        otherApp.DefaultRequestHeaders.Add("APP_API_KEY", other.ApiKey);
        var theirs = (await otherApp.GetJsonAsync("/v1/app/push"))!;
        Assert.Null(theirs["webhook"]);
        // Their change does not touch ours.
        await otherApp.PutJsonAsync("/v1/app/push", new { webhook = new { url = "https://example.com/other", secret = "other-secret-0123456789" } });
        var ours = (await world.Server.Platform.GetJsonAsync("/v1/app/push"))!;
        Assert.StartsWith(world.Webhook.BaseUrl, ours["webhook"]!["url"]!.GetValue<string>());
        using var wrongKey = new HttpClient { BaseAddress = new Uri(world.Server.BaseUrl) };
        wrongKey.DefaultRequestHeaders.Add("APP_ID", other.AppId);
        wrongKey.DefaultRequestHeaders.Add("APP_API_KEY", world.Server.ApiKey);
        Assert.Equal(401, (int)(await wrongKey.PutAsJsonAsync("/v1/app/push", new { webhook = (object?)null })).StatusCode);
        Assert.NotNull((await otherApp.GetJsonAsync("/v1/app/push"))!["webhook"]);
    }
}
