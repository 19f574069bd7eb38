using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace GitpleLive.Server.Realtime;

/// <summary>
/// The embedded MQTT server. MQTTnet does what it does well — CONNECT, SUBSCRIBE/SUBACK, UNSUBSCRIBE,
/// keep-alive — and these hooks add the protocol's rules: who may connect (PROTOCOL §4), what they may
/// subscribe to (§6, checked against current membership), and that clients never publish. MQTTnet keeps
/// no subscriptions of its own; granted ones go to the <see cref="SubscriptionRegistry"/>, from which
/// <see cref="MqttEventSink"/> delivers.
/// </summary>
internal sealed class RealtimeBroker(
    RealtimeEndpoint endpoint,
    SubscriptionRegistry registry,
    ConnectionDirectory directory,
    IChatAccess access,
    RealtimeOptions options,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    /// <summary>Key of the connection in MQTTnet's session items.</summary>
    private const string ConnectionItem = "gitplelive.connection";

    private readonly RealtimeOptions _options = options;
    private readonly ILogger _logger = loggerFactory.CreateLogger<RealtimeBroker>();
    private MqttServer? _server;
    private CancellationTokenSource? _stop;
    private Task? _stallWatch;
    private Task? _stopping;
    private readonly Lock _stopGate = new();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var serverOptions = new MqttServerOptionsBuilder()
            .WithoutDefaultEndpoint()
            .WithDefaultCommunicationTimeout(_options.CommunicationTimeout)
            .WithPersistentSessions(false)
            .Build();
        var server = new MqttServerFactory().CreateMqttServer(
            serverOptions, [endpoint], new MqttNetLoggerBridge(loggerFactory.CreateLogger("MQTTnet")));
        server.ValidatingConnectionAsync += ValidateConnectionAsync;
        server.ClientConnectedAsync += ClientConnectedAsync;
        server.InterceptingSubscriptionAsync += InterceptSubscriptionAsync;
        server.InterceptingUnsubscriptionAsync += InterceptUnsubscription;
        server.InterceptingPublishAsync += InterceptPublish;
        await server.StartAsync();
        _server = server;

        _stop = new CancellationTokenSource();
        _stallWatch = WatchStalledWritersAsync(_stop.Token);
        // The web server waits for open requests when it stops, and every MQTT connection is one: end the
        // sessions as soon as stopping begins, not after the web server's shutdown timeout.
        lifetime.ApplicationStopping.Register(() => _ = StopServerAsync());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await StopServerAsync().WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_stallWatch is not null) await _stallWatch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private Task StopServerAsync()
    {
        lock (_stopGate) return _stopping ??= StopServerCoreAsync();
    }

    private async Task StopServerCoreAsync()
    {
        await Task.Yield();
        try
        {
            if (_stop is not null) await _stop.CancelAsync();
            if (_server is not null) await _server.StopAsync(new MqttServerStopOptions());
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Stopping the MQTT server failed");
        }
        // Whatever is still open (not yet past CONNECT, or slow to close) goes now.
        foreach (var connection in directory.All()) connection.Abort(null);
    }

    public ValueTask DisposeAsync()
    {
        _server?.Dispose();
        _stop?.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// CONNECT: the client id is <c>{app_id}::{user_id}::…</c>, the user name is that user id and the password
    /// is an SDK token of that user in that app — or empty, when the app allows tokenless users.
    /// </summary>
    private async Task ValidateConnectionAsync(ValidatingConnectionEventArgs args)
    {
        if (args.ChannelAdapter is not RealtimeConnection connection)
        {
            args.ReasonCode = MqttConnectReasonCode.NotAuthorized;
            return;
        }
        var clientId = args.ClientId ?? "";
        var separator = clientId.IndexOf("::", StringComparison.Ordinal);
        var userEnd = separator < 0 ? -1 : clientId.IndexOf("::", separator + 2, StringComparison.Ordinal);
        if (separator <= 0)
        {
            args.ReasonCode = MqttConnectReasonCode.ClientIdentifierNotValid;
            return;
        }
        var appId = clientId[..separator];
        var userId = userEnd < 0 ? clientId[(separator + 2)..] : clientId[(separator + 2)..userEnd];
        if (userId.Length == 0 || !string.Equals(args.UserName, userId, StringComparison.Ordinal))
        {
            args.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
            return;
        }

        try
        {
            var app = await access.FindAppAsync(appId, args.CancellationToken);
            if (app is null)
            {
                args.ReasonCode = MqttConnectReasonCode.NotAuthorized;
                return;
            }
            var password = args.Password;
            if (string.IsNullOrEmpty(password))
            {
                if (!app.AllowTokenless)
                {
                    args.ReasonCode = MqttConnectReasonCode.NotAuthorized;
                    return;
                }
            }
            else if (!await access.ValidateSdkTokenAsync(appId, userId, password, args.CancellationToken))
            {
                args.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
                return;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError(e, "Checking the MQTT connect of {ClientId} failed", clientId);
            args.ReasonCode = MqttConnectReasonCode.ServerUnavailable;
            return;
        }

        connection.Authenticate(appId, userId, clientId, args.ProtocolVersion == MqttProtocolVersion.V500, args.MaximumPacketSize);
        args.SessionItems[ConnectionItem] = connection;
        directory.Authenticated(connection);
        if (_options.RestoreSubscriptionsOnConnect)
        {
            connection.HoldEventsUntilConnAck();
            await RestoreSubscriptionsAsync(connection);
        }
    }

    private static Task ClientConnectedAsync(ClientConnectedEventArgs args)
    {
        // A session taken over without a clean start keeps the old session's items; point them at this connection.
        if (args.RemoteEndPoint is ConnectionEndPoint endPoint)
            args.SessionItems[ConnectionItem] = endPoint.Connection;
        return Task.CompletedTask;
    }

    /// <summary>
    /// PROTOCOL §9: Android's client reconnects by itself with a clean session and never subscribes again, so on
    /// every accepted CONNECT (before CONNACK; events wait for it, see RealtimeConnection.HoldEventsUntilConnAck) the
    /// server subscribes the connection to what the user is entitled to now: their user topic, every
    /// joined channel's <c>all</c> and every managed channel's <c>manager</c>. The keys go through the same pending
    /// path as a SUBSCRIBE: entered as pending, then granted only if a second look at membership still allows them
    /// and no cut for the user hit them in between (a leave or ban racing the restore wins). A later SUBSCRIBE of the
    /// same filter finds the key already held, so nothing is delivered twice.
    /// </summary>
    private async Task RestoreSubscriptionsAsync(RealtimeConnection connection)
    {
        if (connection is not { AppId: { } appId, UserId: { } userId }) return;
        try
        {
            var userPending = registry.BeginSubscribe(connection, RealtimeTopics.UserKey(appId, userId));
            registry.CompleteSubscribe(userPending, granted: true);

            var rights = await access.ChannelRightsAsync(appId, userId);
            if (rights.Count == 0) return;
            var pending = new List<(PendingSubscription Pending, ChannelRight Right, bool Manager)>(rights.Count + 1);
            foreach (var right in rights)
            {
                var all = RealtimeTopics.ChannelKey(appId, right.ChannelType, right.ChannelId, manager: false);
                pending.Add((registry.BeginSubscribe(connection, all), right, false));
                if (right.IsManager)
                {
                    var manager = RealtimeTopics.ChannelKey(appId, right.ChannelType, right.ChannelId, manager: true);
                    pending.Add((registry.BeginSubscribe(connection, manager), right, true));
                }
            }
            // Channel (type, id) → manages it, as of now: after the keys went pending.
            Dictionary<(string, string), bool>? now = null;
            try
            {
                now = (await access.ChannelRightsAsync(appId, userId)).ToDictionary(r => (r.ChannelType, r.ChannelId), r => r.IsManager);
            }
            finally
            {
                foreach (var (p, right, manager) in pending)
                {
                    var granted = now is not null && now.TryGetValue((right.ChannelType, right.ChannelId), out var manages)
                        && (!manager || manages);
                    registry.CompleteSubscribe(p, granted);
                }
            }
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Restoring the subscriptions of {ClientId} failed", connection.ClientId);
        }
    }

    /// <summary>SUBSCRIBE: granted (QoS 0) only for the three topic shapes the user is entitled to now.</summary>
    private async Task InterceptSubscriptionAsync(InterceptingSubscriptionEventArgs args)
    {
        // MQTTnet keeps no subscription state: events never pass through its routing.
        args.ProcessSubscription = false;
        var connection = args.SessionItems[ConnectionItem] as RealtimeConnection;
        if (connection?.AppId is null || !RealtimeTopics.TryParseFilter(args.TopicFilter.Topic, connection.AppId, out var target))
        {
            Refuse(args);
            return;
        }

        var pending = registry.BeginSubscribe(connection, target.Key);
        var allowed = false;
        try
        {
            allowed = target.Kind switch
            {
                TopicFilterKind.User => target.TargetId == connection.UserId,
                TopicFilterKind.ChannelAll => await access.IsMemberAsync(
                    connection.AppId, target.ChannelType, target.TargetId, connection.UserId!, args.CancellationToken),
                _ => await access.IsManagerAsync(
                    connection.AppId, target.ChannelType, target.TargetId, connection.UserId!, args.CancellationToken),
            };
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogError(e, "Checking the subscription of {ClientId} to {Topic} failed", connection.ClientId, args.TopicFilter.Topic);
        }
        finally
        {
            allowed = registry.CompleteSubscribe(pending, allowed);
        }

        if (allowed) args.Response.ReasonCode = MqttSubscribeReasonCode.GrantedQoS0;
        else Refuse(args);
    }

    private static void Refuse(InterceptingSubscriptionEventArgs args) =>
        // SUBACK 0x80: "Failure" in MQTT 3.1.1, "Unspecified error" in MQTT 5.
        args.Response.ReasonCode = MqttSubscribeReasonCode.UnspecifiedError;

    /// <summary>UNSUBSCRIBE. Runs synchronously: MQTTnet calls it while holding a thread-bound lock.</summary>
    private Task InterceptUnsubscription(InterceptingUnsubscriptionEventArgs args)
    {
        if (args.SessionItems[ConnectionItem] is RealtimeConnection { AppId: { } appId } connection
            && RealtimeTopics.TryParseFilter(args.Topic, appId, out var target)
            && registry.Unsubscribe(connection, target.Key))
            args.Response.ReasonCode = MqttUnsubscribeReasonCode.Success;
        return Task.CompletedTask;
    }

    /// <summary>PUBLISH from a client: dropped, never delivered (clients only listen).</summary>
    private static Task InterceptPublish(InterceptingPublishEventArgs args)
    {
        args.ProcessPublish = false;
        args.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
        return Task.CompletedTask;
    }

    /// <summary>Drops connections whose writer has been stuck longer than <see cref="RealtimeOptions.WriteStallTimeout"/>.</summary>
    private async Task WatchStalledWritersAsync(CancellationToken cancellationToken)
    {
        var period = TimeSpan.FromTicks(
            Math.Clamp(_options.WriteStallTimeout.Ticks / 4, TimeSpan.TicksPerSecond / 10, TimeSpan.TicksPerSecond * 5));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                var now = Environment.TickCount64;
                foreach (var connection in directory.All())
                    if (connection.IsStalled(now))
                    {
                        Operations.ChatMetrics.SlowConsumerCut();
                        connection.Abort("it has not taken any data for too long (a stuck subscriber)");
                    }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
