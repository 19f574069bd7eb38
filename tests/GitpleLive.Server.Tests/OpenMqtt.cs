using System.Text;
using System.Threading.Channels;
using MQTTnet;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>A user's MQTT-over-WebSocket connection in a test: what it heard, by topic and payload.</summary>
public sealed class OpenMqtt : IAsyncDisposable
{
    private readonly Channel<(string Topic, string Payload)> _received = Channel.CreateUnbounded<(string, string)>();

    private OpenMqtt(IMqttClient client, string appId)
    {
        Client = client;
        Prefix = $"mqtt/topic/gitple/live/{appId}";
        client.ApplicationMessageReceivedAsync += e =>
        {
            _received.Writer.TryWrite((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload)));
            return Task.CompletedTask;
        };
    }

    public IMqttClient Client { get; }
    public string Prefix { get; }

    public static async Task<OpenMqtt> ConnectAsync(TestServer server, SdkUser user, string? appId = null)
    {
        appId ??= server.AppId;
        var client = new MqttClientFactory().CreateMqttClient();
        var mqtt = new OpenMqtt(client, appId);
        var clientId = $"{appId}::{user.UserId}::test::{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}{Random.Shared.Next(1000)}::127.0.0.1";
        await client.ConnectAsync(new MqttClientOptionsBuilder().WithWebSocketServer(o => o.WithUri(server.WebSocketUrl))
            .WithClientId(clientId).WithCredentials(user.UserId, user.SdkToken).WithCleanSession().Build());
        return mqtt;
    }

    public string OpenTopic(string channelId) => $"{Prefix}/channel/open/{channelId}/all/#";

    public async Task<MqttClientSubscribeResultCode> SubscribeAsync(string filter)
    {
        var result = await Client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter).Build());
        return result.Items.Single().ResultCode;
    }

    public async Task SubscribeOkAsync(string filter) =>
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, await SubscribeAsync(filter));

    public async Task<(string Topic, System.Text.Json.Nodes.JsonObject Json)> NextAsync(TimeSpan? timeout = null)
    {
        var (topic, payload) = await _received.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
        return (topic, System.Text.Json.Nodes.JsonNode.Parse(payload)!.AsObject());
    }

    /// <summary>Asserts nothing more arrives within a short while.</summary>
    public async Task ExpectNothingAsync()
    {
        await Task.Delay(300);
        Assert.False(_received.Reader.TryRead(out var extra), $"heard {extra.Topic}: {extra.Payload}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Client.IsConnected) await Client.DisconnectAsync();
        Client.Dispose();
    }
}
