using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;

namespace GitpleLive.Chat.Internal;

/// <summary>
/// The MQTT side of one session: the current MQTTnet client (replaced on every reconnect), its subscriptions,
/// and the mapping of MQTT outcomes to SDK errors by their result codes.
/// </summary>
internal sealed class MqttTransport
{
    private static readonly MqttClientFactory Factory = new();

    private readonly object _lock = new();
    private readonly HashSet<string> _topics = new(StringComparer.Ordinal);
    private readonly Action<MqttApplicationMessageReceivedEventArgs> _onMessage;
    private readonly Action _onLost;
    private IMqttClient? _client;

    /// <param name="onMessage">Called on the MQTT receive loop for each PUBLISH; must not block.</param>
    /// <param name="onLost">Called when the current client's connection ends without <see cref="DropAsync"/>.</param>
    public MqttTransport(Action<MqttApplicationMessageReceivedEventArgs> onMessage, Action onLost)
    {
        _onMessage = onMessage;
        _onLost = onLost;
    }

    public bool IsConnected
    {
        get { lock (_lock) return _client is { IsConnected: true }; }
    }

    /// <summary>Whether there is a client whose connection has ended (and nobody dropped it).</summary>
    public bool IsLost
    {
        get { lock (_lock) return _client is { IsConnected: false }; }
    }

    /// <summary>
    /// Opens a new MQTT 3.1.1 connection over WebSocket. CONNACK 4/5 become 4001 (without an HTTP status),
    /// other refusals and socket failures 60902, no answer within <paramref name="timeout"/> 60901.
    /// </summary>
    public async Task ConnectAsync(string webSocketUri, string clientId, string userName, string password, TimeSpan keepAlive,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var client = Factory.CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            _onMessage(e);
            return Task.CompletedTask;
        };
        client.DisconnectedAsync += _ =>
        {
            bool current;
            lock (_lock) current = _client == client;
            if (current) _onLost();
            return Task.CompletedTask;
        };
        var options = Factory.CreateClientOptionsBuilder()
            .WithWebSocketServer(ws => ws.WithUri(webSocketUri).WithSubProtocols(["mqtt"]))
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithClientId(clientId)
            .WithCredentials(userName, password)
            .WithCleanSession(true)
            .WithKeepAlivePeriod(keepAlive)
            .WithTimeout(timeout)
            .Build();
        lock (_lock) _client = client;
        try
        {
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            MqttClientConnectResult result;
            try
            {
                result = await client.ConnectAsync(options, timeoutSource.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new GitpleLiveException(GitpleLiveErrorCode.ServerNotResponding, "the MQTT server did not answer in time", e);
            }
            catch (MqttCommunicationTimedOutException e)
            {
                throw new GitpleLiveException(GitpleLiveErrorCode.ServerNotResponding, "the MQTT server did not answer in time", e);
            }
            catch (Exception e) when (e is not OperationCanceledException and not GitpleLiveException)
            {
                throw new GitpleLiveException(GitpleLiveErrorCode.UnableToConnect, "unable to connect to the MQTT server: " + e.Message, e);
            }
            if (result.ResultCode != MqttClientConnectResultCode.Success) throw Refused(result.ResultCode, null);
        }
        catch
        {
            await DropAsync().ConfigureAwait(false);
            throw;
        }
        lock (_lock) _topics.Clear();
    }

    /// <summary>The SDK error for a CONNACK refusal, decided by its code.</summary>
    internal static GitpleLiveException Refused(MqttClientConnectResultCode code, Exception? inner) => code switch
    {
        MqttClientConnectResultCode.BadUserNameOrPassword or MqttClientConnectResultCode.NotAuthorized =>
            new GitpleLiveException(GitpleLiveErrorCode.Unauthorized, $"the MQTT server refused the credentials: {code}", inner),
        _ => new GitpleLiveException(GitpleLiveErrorCode.UnableToConnect, $"the MQTT server refused the connection: {code}", inner),
    };

    /// <summary>Subscribes to every topic; a refused filter is 60903 (the granted ones stay subscribed).</summary>
    public async Task SubscribeAsync(IReadOnlyList<string> topics, CancellationToken cancellationToken)
    {
        IMqttClient client;
        lock (_lock) client = _client ?? throw new GitpleLiveException(GitpleLiveErrorCode.NotConnected, "not connected");
        // Many filters per SUBSCRIBE, but not thousands: keep packets a sensible size.
        foreach (var chunk in topics.Chunk(50))
        {
            var builder = Factory.CreateSubscribeOptionsBuilder();
            foreach (var topic in chunk) builder.WithTopicFilter(f => f.WithTopic(topic).WithAtMostOnceQoS());
            MqttClientSubscribeResult result;
            try
            {
                result = await client.SubscribeAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw ChatCore.Wrap(e);
            }
            var refused = new List<string>();
            lock (_lock)
            {
                foreach (var item in result.Items)
                {
                    if (item.ResultCode <= MqttClientSubscribeResultCode.GrantedQoS2) _topics.Add(item.TopicFilter.Topic);
                    else refused.Add(item.TopicFilter.Topic);
                }
            }
            if (refused.Count > 0)
                throw new GitpleLiveException(GitpleLiveErrorCode.UnableToSubscribeEvent,
                    "the server refused the subscription to " + string.Join(", ", refused));
        }
    }

    /// <summary>Unsubscribes from those of <paramref name="topics"/> this connection holds; failures are ignored.</summary>
    public async Task UnsubscribeAsync(IEnumerable<string> topics, CancellationToken cancellationToken)
    {
        List<string> held;
        IMqttClient? client;
        lock (_lock)
        {
            held = topics.Where(_topics.Remove).ToList();
            client = _client;
        }
        if (held.Count == 0 || client is not { IsConnected: true }) return;
        var builder = Factory.CreateUnsubscribeOptionsBuilder();
        foreach (var t in held) builder.WithTopicFilter(t);
        try
        {
            await client.UnsubscribeAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The server cuts these subscriptions itself; failing to say so first is harmless.
        }
    }

    /// <summary>Drops the current MQTT client without reporting it lost.</summary>
    public async Task DropAsync()
    {
        IMqttClient? client;
        lock (_lock)
        {
            client = _client;
            _client = null;
        }
        if (client is null) return;
        try
        {
            if (client.IsConnected)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await client.DisconnectAsync(new MqttClientDisconnectOptions(), timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception)
        {
            // Best effort: the socket goes with Dispose anyway.
        }
        client.Dispose();
    }
}
