using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using GitpleLive.Server.Events;
using MQTTnet;
using MQTTnet.Formatter;

namespace GitpleLive.Realtime.Tests;

/// <summary>A message as a client received it.</summary>
public sealed record Received(string Topic, byte[] Payload)
{
    public string Text => Encoding.UTF8.GetString(Payload);
    public JsonElement Json => JsonDocument.Parse(Payload).RootElement;
    public string Category => Json.GetProperty("category").GetString()!;
}

/// <summary>The server answered CONNECT with a refusal.</summary>
public sealed class ConnectRefusedException(MqttClientConnectResultCode code) : Exception($"CONNACK {code}")
{
    public MqttClientConnectResultCode Code { get; } = code;
}

/// <summary>MQTTnet's client over a real WebSocket, with what it receives queued for the test to await.</summary>
public sealed class TestClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestClient(IMqttClient client, string userId, string clientId)
    {
        Mqtt = client;
        UserId = userId;
        ClientId = clientId;
        client.ApplicationMessageReceivedAsync += e =>
        {
            _received.Writer.TryWrite(new Received(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()));
            return Task.CompletedTask;
        };
        client.DisconnectedAsync += _ =>
        {
            _disconnected.TrySetResult();
            return Task.CompletedTask;
        };
    }

    public IMqttClient Mqtt { get; }
    public string UserId { get; }
    public string ClientId { get; }
    public string AppId { get; set; } = RealtimeServer.AppId;

    /// <summary>Completes when the server drops the connection.</summary>
    public Task Disconnected => _disconnected.Task;

    /// <summary>Connects; <paramref name="maximumPacketSize"/> (MQTT 5, 0 for none) is the largest packet the client accepts.</summary>
    public static async Task<TestClient> ConnectAsync(
        string url, string clientId, string userId, string? password, MqttProtocolVersion version, uint maximumPacketSize = 0)
    {
        var mqtt = new MqttClientFactory().CreateMqttClient();
        var client = new TestClient(mqtt, userId, clientId);
        var options = new MqttClientOptionsBuilder()
            .WithWebSocketServer(o => o.WithUri(url))
            .WithClientId(clientId)
            .WithCredentials(userId, password ?? "")
            .WithProtocolVersion(version)
            .WithCleanSession()
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithTimeout(Timeout)
            .WithMaximumPacketSize(maximumPacketSize)
            .Build();
        MqttClientConnectResult result;
        try
        {
            result = await mqtt.ConnectAsync(options);
        }
        catch
        {
            mqtt.Dispose();
            throw;
        }
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            mqtt.Dispose();
            throw new ConnectRefusedException(result.ResultCode);
        }
        return client;
    }

    /// <summary>Subscribes to one filter and returns the SUBACK result code.</summary>
    public async Task<MqttClientSubscribeResultCode> SubscribeAsync(string filter)
    {
        var result = await Mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter).Build());
        return result.Items.Single().ResultCode;
    }

    public async Task SubscribeOkAsync(string filter)
    {
        var code = await SubscribeAsync(filter);
        Assert.True(code == MqttClientSubscribeResultCode.GrantedQoS0, $"subscribe {filter}: {code}");
    }

    public Task UnsubscribeAsync(string filter) =>
        Mqtt.UnsubscribeAsync(new MqttClientUnsubscribeOptionsBuilder().WithTopicFilter(filter).Build());

    /// <summary>The next message, or a failure after the timeout.</summary>
    public async Task<Received> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeout);
        try
        {
            return await _received.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{UserId}: no message within {timeout ?? Timeout}");
        }
    }

    /// <summary>
    /// Proves that nothing else is on its way: publishes a marker to the user's own topic and requires it to be
    /// the next message. Events published before the marker would have been queued on this connection first.
    /// </summary>
    public async Task ExpectNothingMoreAsync(RealtimeServer server)
    {
        var marker = Guid.NewGuid().ToString("N");
        await server.PublishAsync(new ChatEvent
        {
            AppId = AppId,
            TopicKind = EventTopicKind.User,
            TargetId = UserId,
            Payload = new EventPayload("test:marker", Data: new { marker }),
        });
        while (true)
        {
            var next = await NextAsync();
            if (next.Category != "test:marker")
                Assert.Fail($"{UserId}: expected nothing more, got {next.Topic} {next.Text}");
            // Markers of earlier checks (another connection of the same user) are no news.
            if (next.Json.GetProperty("data").GetProperty("marker").GetString() == marker) return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Mqtt.IsConnected) await Mqtt.DisconnectAsync();
        }
        catch (Exception)
        {
            // Already gone.
        }
        Mqtt.Dispose();
    }
}
