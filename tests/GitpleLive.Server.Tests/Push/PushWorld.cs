using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GitpleLive.Server.Events;
using Microsoft.EntityFrameworkCore;
using GitpleLive.Server.Push;
using GitpleLive.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace GitpleLive.Server.Tests.Push;

/// <summary>
/// A server with the three provider fakes beside it: FCM (token and send endpoints, plain HTTP), APNs (HTTP/2 over TLS with
/// a self-signed certificate the server is told to trust through the named client's handler) and a webhook receiver.
/// </summary>
public sealed class PushWorld : IAsyncDisposable
{
    public const string WebhookSecret = "webhook-secret-0123456789";
    public const string TeamId = "TEAM123456";
    public const string KeyId = "KEY1234567";
    public const string BundleId = "com.example.chat";

    public required TestServer Server { get; init; }
    public required FakeProvider Fcm { get; init; }
    public required FakeProvider Apns { get; init; }
    public required FakeProvider Webhook { get; init; }
    private readonly List<IMqttClient> _online = [];

    public static async Task<PushWorld> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var fcm = await FakeProvider.StartAsync();
        fcm.Answer = r => r.Path == "/token"
            ? (200, """{"access_token":"fcm-access-token","expires_in":3600,"token_type":"Bearer"}""")
            : null;
        fcm.OkBody = """{"name":"projects/test-project/messages/1"}""";
        var apns = await FakeProvider.StartAsync(tls: true);
        var webhook = await FakeProvider.StartAsync();
        var all = new Dictionary<string, string?>
        {
            ["GitpleLive:Push:PollInterval"] = "00:00:00.200",
            ["GitpleLive:Push:RetryBaseDelay"] = "00:00:00.200",
        };
        if (settings is not null) foreach (var (k, v) in settings) all[k] = v;
        var thumbprint = apns.Certificate!.GetCertHashString();
        var server = await TestServer.StartAsync(all, configure: b => b.Services.AddHttpClient(ApnsPushProvider.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // Trust exactly the fake's certificate; the server's own registration leaves validation to the platform.
                SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == thumbprint },
            }));
        return new PushWorld { Server = server, Fcm = fcm, Apns = apns, Webhook = webhook };
    }

    public object FcmBlock => new
    {
        project_id = "test-project",
        service_account_json = FakeKeys.ServiceAccountJson($"{Fcm.BaseUrl}/token"),
        endpoint = $"{Fcm.BaseUrl}/v1/projects/{{project_id}}/messages:send",
    };

    public object ApnsBlock => new
    {
        team_id = TeamId, key_id = KeyId, bundle_id = BundleId, p8_pem = FakeKeys.P8Pem, production = true, endpoint = Apns.BaseUrl,
    };

    public object WebhookBlock => new { url = $"{Webhook.BaseUrl}/push", secret = WebhookSecret };

    public Task<JsonNode?> ConfigureAsync(object settings) => Server.Platform.PutJsonAsync("/v1/app/push", settings);

    /// <summary>A user with an SDK token and one registered device token.</summary>
    public async Task<SdkUser> UserAsync(string prefix, string platform, string? name = null)
    {
        var id = Api.NewId(prefix);
        var user = await Server.SdkUserAsync(id, name ?? id);
        await user.Http.PostJsonAsync("/v1/sdk/users/device_token", new { token = TokenOf(id), platform });
        return user;
    }

    public static string TokenOf(string userId) => "tok-" + userId;

    public async Task<string> ChannelAsync(string name, params SdkUser[] members)
    {
        var id = Api.NewId("ch");
        await Server.Platform.PostJsonAsync("/v1/group/channels", new { channel_id = id, name, members = members.Select(m => m.UserId) });
        return id;
    }

    public static async Task<JsonNode> SendAsync(SdkUser sender, string channelId, string content, object? extra = null)
    {
        var body = new JsonObject { ["type"] = "text", ["content"] = content };
        if (extra is not null)
            foreach (var (k, v) in System.Text.Json.JsonSerializer.SerializeToNode(extra)!.AsObject().ToList())
                body[k] = v?.DeepClone();
        return (await sender.Http.PostJsonAsync($"/v1/sdk/group/channels/{channelId}/messages", body.ToJsonString()))!;
    }

    /// <summary>Connects the user over MQTT and waits until presence counts them online.</summary>
    public async Task GoOnlineAsync(SdkUser user)
    {
        var mqtt = new MqttClientFactory().CreateMqttClient();
        await mqtt.ConnectAsync(new MqttClientOptionsBuilder().WithWebSocketServer(o => o.WithUri(Server.WebSocketUrl))
            .WithClientId($"{Server.AppId}::{user.UserId}::test::{Guid.NewGuid():N}::127.0.0.1")
            .WithCredentials(user.UserId, user.SdkToken).WithCleanSession().Build());
        _online.Add(mqtt);
        var presence = Server.Services.GetRequiredService<IPresence>();
        for (var i = 0; i < 100 && (await presence.OnlineAsync(Server.AppId, [user.UserId])).Count == 0; i++) await Task.Delay(50);
        Assert.Single(await presence.OnlineAsync(Server.AppId, [user.UserId]));
    }

    /// <summary>FCM send requests (not token requests) for <paramref name="token"/>.</summary>
    public static bool FcmSendTo(FakeRequest r, string token) =>
        r.Path.EndsWith(":send", StringComparison.Ordinal) && r.Json["message"]!["token"]!.GetValue<string>() == token;

    public static bool ApnsSendTo(FakeRequest r, string token) => r.Path == $"/3/device/{token}";

    public static bool WebhookTo(FakeRequest r, string token) => r.Json["token"]!.GetValue<string>() == token;

    /// <summary>Waits for the outbox to be empty: every push of the messages sent so far is finished.</summary>
    public async Task DrainedAsync()
    {
        var store = Server.Services.GetRequiredService<GitpleLive.Server.Storage.ChatStore>();
        for (var i = 0; i < 200; i++)
        {
            if (!await store.ReadAsync(db => db.PushOutbox.AnyAsync())) return;
            await Task.Delay(50);
        }
        throw new TimeoutException("the push outbox did not drain");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var m in _online)
        {
            try { await m.DisconnectAsync(); } catch (Exception) { }
            m.Dispose();
        }
        await Server.DisposeAsync();
        await Fcm.DisposeAsync();
        await Apns.DisposeAsync();
        await Webhook.DisposeAsync();
    }
}
