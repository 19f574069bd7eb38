using System.Text.Json;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;

namespace GitpleLive.Chat.Internal;

/// <summary>
/// The connection engine behind <see cref="ChatClient"/>: the connect sequence, the MQTT client,
/// subscriptions, token refresh, reconnect with catch-up, and routing of realtime events.
/// </summary>
/// <remarks>
/// Concurrency: <see cref="_lifecycle"/> serialises connect, disconnect and each reconnect attempt;
/// <see cref="_gate"/> guards the small shared fields. The MQTT receive callback never awaits network
/// work: it parses, decides and posts. Work that must talk to the broker (subscribing after a join)
/// goes to the session's work queue, user handlers to the <see cref="EventDispatcher"/>.
/// </remarks>
internal sealed class ChatCore : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly MqttClientFactory _mqttFactory = new();
    private Session? _session;
    private Session? _pending;
    private ConnectionState _state = ConnectionState.Disconnected;
    private bool _disposed;

    public ChatCore(ChatClientOptions options, ChatClient client)
    {
        Endpoint = Endpoint.FromOptions(options);
        Options = options;
        AppId = options.AppId!.Trim();
        Client = client;
        Rest = new RestClient(Endpoint, AppId, options.RequestTimeout, options.HttpMessageHandler);
        Dispatcher = new EventDispatcher(e => Client.RaiseError(
            new GitpleLiveException(GitpleLiveErrorCode.UnknownError, "an event handler threw: " + e.Message, e)));
    }

    public ChatClientOptions Options { get; }
    public Endpoint Endpoint { get; }
    public string AppId { get; }
    public RestClient Rest { get; }
    public EventDispatcher Dispatcher { get; }
    public MessageTracker Tracker { get; } = new();
    public ChatClient Client { get; }
    public ChatConnection Connection => Client.Connection;
    public GroupChannelClient GroupChannel => Client.GroupChannel;
    public UserClient User => Client.User;

    public ConnectionState State
    {
        get { lock (_gate) return _state; }
    }

    public string? UserId
    {
        get { lock (_gate) return _session?.UserId; }
    }

    /// <summary>Test hook: awaited before each reconnect attempt (lets a test act while the client is away).</summary>
    internal Func<Task>? BeforeReconnectAttempt { get; set; }

    /// <summary>Test hook: awaited after the joined channels are read and before they are subscribed (lets a test change membership in between).</summary>
    internal Func<Task>? BeforeSubscribe { get; set; }

    // For tests and diagnostics.
    internal Session? CurrentSession
    {
        get { lock (_gate) return _session; }
    }

    /// <summary>The credentials of an SDK call; 60904 unless connected (or reconnecting with a token).</summary>
    public Credentials RequireCredentials()
    {
        lock (_gate)
        {
            if (_session is { } s && _state is ConnectionState.Connected or ConnectionState.Reconnecting && s.SdkToken is { } token)
                return new Credentials(s.UserId, token);
        }
        throw new GitpleLiveException(GitpleLiveErrorCode.NotConnected, "not connected; call ConnectUserAsync first");
    }

    public void ReportError(GitpleLiveException error) => Dispatcher.Post(() => Client.RaiseError(error));

    // ---------------------------------------------------------------- connect / disconnect

    public async Task ConnectAsync(string userId, string? sessionToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(userId)) throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, "user id is required");
        if (userId.IndexOfAny(['/', '#', '+']) >= 0)
            throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, "user id must not contain '/', '#' or '+'");
        if (sessionToken is not null) SessionToken.Validate(sessionToken, userId, NowMs());

        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        Session session;
        try
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, typeof(ChatClient));
                if (_session is { } current)
                {
                    if (current.UserId == userId) return;
                    throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters,
                        $"already connected as {current.UserId}; call DisconnectUserAsync first");
                }
                session = new Session(this, userId, sessionToken);
                _pending = session;
                _state = ConnectionState.Connecting;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.Cancellation.Token);
            try
            {
                await EstablishAsync(session, initial: true, linked.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                lock (_gate)
                {
                    _pending = null;
                    _state = ConnectionState.Disconnected;
                }
                await session.CloseAsync().ConfigureAwait(false);
                if (e is OperationCanceledException && cancellationToken.IsCancellationRequested) throw;
                if (e is OperationCanceledException)
                    throw new GitpleLiveException(GitpleLiveErrorCode.UnableToConnect, "the connect was cancelled by a disconnect");
                throw Wrap(e);
            }

            lock (_gate)
            {
                _pending = null;
                _session = session;
                _state = ConnectionState.Connected;
            }
            session.StartBackgroundWork();
            Dispatcher.Post(Connection.RaiseConnected);
            EnsureAlive(session);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        Session? target;
        lock (_gate) target = _session ?? _pending;
        if (target is null) return;
        // Cancel first: a reconnect attempt or a connect in progress holds the lifecycle lock until it notices.
        target.Cancel();
        await CloseSessionAsync(target, DisconnectReason.ClientRequested, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends a session for good; only the first call for a session does anything.</summary>
    private async Task CloseSessionAsync(Session session, DisconnectReason reason, GitpleLiveException? error, CancellationToken cancellationToken = default)
    {
        session.Cancel();
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                if (_session != session) return;
                _session = null;
                _state = ConnectionState.Disconnected;
            }
            await session.CloseAsync().ConfigureAwait(false);
            Tracker.Clear();
            var args = new DisconnectedEventArgs(reason, error);
            Dispatcher.Post(() => Connection.RaiseDisconnected(args));
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// The connect sequence of PROTOCOL §4/§6, also used by each reconnect attempt: SDK token, client IP,
    /// MQTT connect, token refresh, joined channels, subscriptions, and (on reconnect) catch-up.
    /// </summary>
    private async Task EstablishAsync(Session session, bool initial, CancellationToken cancellationToken)
    {
        if (session.SessionToken is not null && (initial || session.NeedsTokenBeforeConnect(NowMs())))
            await session.RefreshTokenAsync(cancellationToken).ConfigureAwait(false);
        session.ClientIp ??= await Rest.GetClientIpAsync(cancellationToken).ConfigureAwait(false) ?? "unknown";

        await session.ConnectMqttAsync(cancellationToken).ConfigureAwait(false);
        // Right after every MQTT (re)connect; for tokenless users this is where the token comes from.
        await session.RefreshTokenAsync(cancellationToken).ConfigureAwait(false);

        var joined = await GetJoinedAllAsync(session, cancellationToken).ConfigureAwait(false);
        var joinedIds = joined.Select(c => c.ChannelId).ToHashSet(StringComparer.Ordinal);
        Tracker.RetainOnly(joinedIds);

        var catchUp = !initial && Options.CatchUpMissedMessages;
        var caughtUp = new List<GroupChannel>();
        try
        {
            foreach (var channel in joined)
            {
                if (catchUp && Tracker.IsKnown(channel.ChannelId))
                {
                    // Hold live messages back until the fetch below is done, so they come after it.
                    Tracker.BeginCatchUp(channel.ChannelId);
                    caughtUp.Add(channel);
                }
                else
                {
                    Tracker.SetBaseline(channel.ChannelId, channel.LastMessage?.MessageId ?? 0);
                }
            }

            var topics = new List<string> { Topics.User(AppId, session.UserId) };
            foreach (var channel in joined)
            {
                topics.Add(Topics.ChannelAll(AppId, channel.ChannelId, channel.Type));
                if (channel.Managers?.Any(m => m.UserId == session.UserId) == true)
                    topics.Add(Topics.ChannelManager(AppId, channel.ChannelId, channel.Type));
            }
            if (BeforeSubscribe is { } hook) await hook().ConfigureAwait(false);
            await session.SubscribeAsync(topics, cancellationToken).ConfigureAwait(false);

            foreach (var channel in caughtUp)
            {
                try
                {
                    await CatchUpAsync(session, channel, cancellationToken).ConfigureAwait(false);
                }
                catch (GitpleLiveException e) when (e.Code is not (GitpleLiveErrorCode.ServerNotResponding or GitpleLiveErrorCode.UnableToConnect))
                {
                    // One channel failing (left meanwhile, say) must not fail the reconnect.
                    ReportError(e);
                }
                finally
                {
                    Tracker.EndCatchUp(channel.ChannelId, RaiseMessage);
                }
            }
        }
        finally
        {
            foreach (var channel in caughtUp) Tracker.EndCatchUp(channel.ChannelId, RaiseMessage);
        }
    }

    private void RaiseMessage(GroupChannel channel, Message message) => GroupChannel.PostMessageReceived(channel, message);

    /// <summary>Fetches every message after the last one seen, page by page, and raises them in order.</summary>
    private async Task CatchUpAsync(Session session, GroupChannel channel, CancellationToken cancellationToken)
    {
        const int pageSize = 100;
        var credentials = session.Credentials;
        while (true)
        {
            var after = Tracker.LastSeen(channel.ChannelId) ?? 0;
            var path = RestClient.Query($"group/channels/{RestClient.Segment(channel.ChannelId)}/messages",
                ("mode", "next"), ("base_message_id", after.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("limit", pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var page = await Rest.GetAsync(path, credentials, ChatJsonContext.Default.MessagePage, cancellationToken).ConfigureAwait(false);
            var messages = page.Messages.Where(m => m.MessageId > after).OrderBy(m => m.MessageId).ToList();
            foreach (var message in messages) Tracker.OnFetched(channel, message, RaiseMessage);
            if (messages.Count == 0 || page.Messages.Count < pageSize) return;
        }
    }

    private Task<List<GroupChannel>> GetJoinedAllAsync(Session session, CancellationToken cancellationToken) =>
        Rest.GetAsync("group/channels/joined/list/all?show_managers=true&show_last_message=true",
            session.Credentials, ChatJsonContext.Default.ListGroupChannel, cancellationToken);

    // ---------------------------------------------------------------- reconnect

    private void OnConnectionLost(Session session, IMqttClient client, MqttClientDisconnectedEventArgs? e)
    {
        lock (_gate)
        {
            if (_session != session || session.Mqtt != client || session.IsCancelled || _state != ConnectionState.Connected) return;
            _state = ConnectionState.Reconnecting;
        }
        _ = Task.Run(() => ReconnectLoopAsync(session));
    }

    /// <summary>
    /// A connection lost while the connect sequence was still running went unnoticed (the state was not
    /// yet <see cref="ConnectionState.Connected"/>); look once more now that it is.
    /// </summary>
    private void EnsureAlive(Session session)
    {
        if (session.Mqtt is { } client && !client.IsConnected) OnConnectionLost(session, client, null);
    }

    private async Task ReconnectLoopAsync(Session session)
    {
        var cancellationToken = session.Cancellation.Token;
        Dispatcher.Post(Connection.RaiseReconnectStarted);
        GitpleLiveException? last = null;
        for (var attempt = 1; attempt <= Options.MaxReconnectAttempts; attempt++)
        {
            try
            {
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
                if (BeforeReconnectAttempt is { } hook) await hook().WaitAsync(cancellationToken).ConfigureAwait(false);
                await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                lock (_gate)
                {
                    if (_session != session || session.IsCancelled) return;
                }
                await session.DropMqttAsync().ConfigureAwait(false);
                await EstablishAsync(session, initial: false, cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    if (_session != session) return;
                    _state = ConnectionState.Connected;
                }
                Dispatcher.Post(Connection.RaiseReconnectSucceeded);
                EnsureAlive(session);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                last = Wrap(e);
                // Retrying cannot help when the server refuses the user itself (deleted, token revoked or expired).
                if (last.Code is GitpleLiveErrorCode.UnableToSubscribeEvent or GitpleLiveErrorCode.UserNotFound or GitpleLiveErrorCode.Unauthorized
                    or GitpleLiveErrorCode.UnauthorizedApplication or GitpleLiveErrorCode.TokenUsageOff or GitpleLiveErrorCode.UserTokenUsageOff) break;
            }
            finally
            {
                _lifecycle.Release();
            }
        }

        Dispatcher.Post(Connection.RaiseReconnectFailed);
        var reason = last?.Code switch
        {
            GitpleLiveErrorCode.UnableToSubscribeEvent => DisconnectReason.SubscriptionRefused,
            GitpleLiveErrorCode.UserNotFound => DisconnectReason.UserDeleted,
            _ => DisconnectReason.ReconnectFailed,
        };
        if (reason == DisconnectReason.UserDeleted && !session.UserDeleteSeen)
        {
            // The server closes a deleted user's connections right after user_delete; when the close won the
            // race and the event was lost, say it now with what is known.
            var args = new UserEventArgs(new User { UserId = session.UserId });
            User.Post(User.RaiseUserDeleted, args);
        }
        if (last is not null) ReportError(last);
        await CloseSessionAsync(session, reason, last).ConfigureAwait(false);
    }

    internal TimeSpan Backoff(int attempt)
    {
        var baseMs = Options.ReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        var capped = Math.Min(baseMs, Options.MaxReconnectDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (1 + Random.Shared.NextDouble() * 0.2));
    }

    // ---------------------------------------------------------------- realtime events

    private void OnMqttMessage(Session session, MqttApplicationMessageReceivedEventArgs e)
    {
        EventPayload? payload;
        try
        {
            var reader = new Utf8JsonReader(e.ApplicationMessage.Payload);
            payload = JsonSerializer.Deserialize(ref reader, ChatJsonContext.Default.EventPayload);
        }
        catch (JsonException ex)
        {
            ReportError(new GitpleLiveException(GitpleLiveErrorCode.UnknownError, $"unreadable event on {e.ApplicationMessage.Topic}: {ex.Message}", ex));
            return;
        }
        if (payload is null || string.IsNullOrEmpty(payload.Category)) return;
        Route(session, payload);
    }

    /// <summary>Turns one event into its .NET event and client-side reaction; a malformed event is reported, not thrown.</summary>
    internal void Route(Session session, EventPayload payload)
    {
        try
        {
            RouteCore(session, payload);
        }
        catch (Exception ex) when (ex is JsonException or GitpleLiveException)
        {
            ReportError(Wrap(ex));
        }
    }

    private void RouteCore(Session session, EventPayload p)
    {
        var me = session.UserId;
        var group = GroupChannel;
        switch (p.Category)
        {
            case "group:message_send":
                Tracker.OnLive(Need(p.Channel, p), Need(p.Message, p), RaiseMessage);
                break;
            case "group:message_update":
                group.Post(group.RaiseMessageUpdated, new ChannelMessageEventArgs(Need(p.Channel, p), Need(p.Message, p)));
                break;
            case "group:message_delete":
                group.Post(group.RaiseMessageDeleted, new ChannelMessageEventArgs(Need(p.Channel, p), Need(p.Message, p)));
                break;
            case "group:channel_join":
                group.Post(group.RaiseChannelJoined, new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p)));
                break;
            case "group:channel_leave":
            {
                var args = new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p));
                if (args.User.UserId == me) session.Enqueue(ct => session.LeaveChannelTopicsAsync(args.Channel, managerOnly: false, ct));
                group.Post(group.RaiseChannelLeft, args);
                break;
            }
            case "group:channel_manager_create":
            {
                var args = new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p));
                if (args.User.UserId == me)
                    session.Enqueue(ct => session.SubscribeRuntimeAsync(Topics.ChannelManager(AppId, args.Channel.ChannelId, args.Channel.Type), ct));
                group.Post(group.RaiseManagerCreated, args);
                break;
            }
            case "group:channel_manager_delete":
            {
                var args = new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p));
                if (args.User.UserId == me) session.Enqueue(ct => session.LeaveChannelTopicsAsync(args.Channel, managerOnly: true, ct));
                group.Post(group.RaiseManagerDeleted, args);
                break;
            }
            case "group:channel_ban":
            {
                var ban = Need(p.Data, p).Deserialize(ChatJsonContext.Default.Ban) ?? throw Missing("data", p);
                var args = new ChannelBanEventArgs(Need(p.Channel, p), p.User ?? ban.User, ban);
                if (args.User.UserId == me) session.Enqueue(ct => session.LeaveChannelTopicsAsync(args.Channel, managerOnly: false, ct));
                group.Post(group.RaiseUserBanned, args);
                break;
            }
            case "group:channel_unban":
                group.Post(group.RaiseUserUnbanned, new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p)));
                break;
            case "group:channel_update":
                group.Post(group.RaiseChannelUpdated, new ChannelEventArgs(Need(p.Channel, p)));
                break;
            case "group:channel_delete":
            {
                var args = new ChannelEventArgs(Need(p.Channel, p));
                session.Enqueue(ct => session.LeaveChannelTopicsAsync(args.Channel, managerOnly: false, ct));
                group.Post(group.RaiseChannelDeleted, args);
                break;
            }
            case "group:channel_freeze":
                group.Post(group.RaiseChannelFrozen, new ChannelEventArgs(Need(p.Channel, p)));
                break;
            case "group:channel_unfreeze":
                group.Post(group.RaiseChannelUnfrozen, new ChannelEventArgs(Need(p.Channel, p)));
                break;
            case "group:channel_message_read_event":
                group.Post(group.RaiseMessageRead, new ChannelEventArgs(Need(p.Channel, p)));
                break;
            case "group:channel_message_delivered_event":
                group.Post(group.RaiseMessageDelivered, new ChannelEventArgs(Need(p.Channel, p)));
                break;
            case "group:report_create":
            {
                var report = Need(p.Data, p).Deserialize(ChatJsonContext.Default.Report) ?? throw Missing("data", p);
                group.Post(group.RaiseReportCreated, new ChannelReportEventArgs(Need(p.Channel, p), report));
                break;
            }
            case "user_update":
                User.Post(User.RaiseUserUpdated, new UserEventArgs(Need(p.User, p)));
                break;
            case "user_delete":
            {
                var user = Need(p.User, p);
                User.Post(User.RaiseUserDeleted, new UserEventArgs(user));
                if (user.UserId == me) session.UserDeleteSeen = true;
                if (user.UserId == me)
                    _ = Task.Run(() => CloseSessionAsync(session, DisconnectReason.UserDeleted, null));
                break;
            }
            case "user_joined_channel":
            {
                var args = new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p));
                session.Enqueue(async ct =>
                {
                    await session.JoinChannelTopicsAsync(args.Channel, ct).ConfigureAwait(false);
                    group.Post(group.RaiseChannelJoined, args);
                });
                break;
            }
            case "user_become_manager":
            {
                var args = new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p));
                session.Enqueue(async ct =>
                {
                    await session.SubscribeRuntimeAsync(Topics.ChannelManager(AppId, args.Channel.ChannelId, args.Channel.Type), ct).ConfigureAwait(false);
                    group.Post(group.RaiseManagerCreated, args);
                });
                break;
            }
            default:
                // Categories this SDK does not know are ignored, so newer servers do not break older clients.
                break;
        }
    }

    private static T Need<T>(T? value, EventPayload p) where T : class =>
        value ?? throw Missing(typeof(T) == typeof(GroupChannel) ? "channel" : typeof(T).Name.ToLowerInvariant(), p);

    private static JsonElement Need(JsonElement? value, EventPayload p) =>
        value is { ValueKind: JsonValueKind.Object } v ? v : throw Missing("data", p);

    private static GitpleLiveException Missing(string part, EventPayload p) =>
        new(GitpleLiveErrorCode.UnknownError, $"event {p.Category} lacks its {part}");

    // ---------------------------------------------------------------- helpers

    internal static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    internal static GitpleLiveException Wrap(Exception e) => e switch
    {
        GitpleLiveException g => g,
        MqttCommunicationTimedOutException => new GitpleLiveException(GitpleLiveErrorCode.ServerNotResponding, "the server did not answer in time: " + e.Message, e),
        TimeoutException => new GitpleLiveException(GitpleLiveErrorCode.ServerNotResponding, "the server did not answer in time: " + e.Message, e),
        OperationCanceledException => new GitpleLiveException(GitpleLiveErrorCode.ServerNotResponding, "the server did not answer in time", e),
        MqttCommunicationException or HttpRequestException or System.Net.WebSockets.WebSocketException or System.Net.Sockets.SocketException =>
            new GitpleLiveException(GitpleLiveErrorCode.UnableToConnect, "unable to connect to the server: " + e.Message, e),
        _ => new GitpleLiveException(GitpleLiveErrorCode.UnknownError, e.Message, e),
    };

    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
        }
        try
        {
            await DisconnectAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Disposal never throws.
        }
        await Dispatcher.DisposeAsync().ConfigureAwait(false);
        Rest.Dispose();
        _lifecycle.Dispose();
    }

    // ================================================================ one user's connection

    /// <summary>
    /// One <see cref="ChatClient.ConnectUserAsync"/>: the user, tokens, the current MQTT client (replaced on
    /// reconnect), the work queue for broker calls triggered by events, and the token refresh loop.
    /// </summary>
    internal sealed class Session
    {
        private readonly ChatCore _core;
        private readonly object _lock = new();
        private readonly HashSet<string> _topics = new(StringComparer.Ordinal);
        private readonly SemaphoreSlim _refreshLock = new(1, 1);
        private readonly Channel<Func<CancellationToken, Task>> _work = System.Threading.Channels.Channel.CreateUnbounded<Func<CancellationToken, Task>>(
            new UnboundedChannelOptions { SingleReader = true });
        private Task? _workLoop;
        private Task? _refreshLoop;
        private string? _sdkToken;
        private long _sdkTokenExpiresAt;
        private IMqttClient? _mqtt;

        public Session(ChatCore core, string userId, string? sessionToken)
        {
            _core = core;
            UserId = userId;
            SessionToken = sessionToken;
        }

        public string UserId { get; }
        public string? SessionToken { get; }
        public string? ClientIp { get; set; }
        public string? ClientId { get; private set; }
        public volatile bool UserDeleteSeen;
        public CancellationTokenSource Cancellation { get; } = new();
        public bool IsCancelled => Cancellation.IsCancellationRequested;

        /// <summary>How many times an SDK token was obtained (tests watch refreshes with it).</summary>
        public int TokenRefreshCount;

        public string? SdkToken
        {
            get { lock (_lock) return _sdkToken; }
        }

        public long SdkTokenExpiresAt
        {
            get { lock (_lock) return _sdkTokenExpiresAt; }
        }

        public IMqttClient? Mqtt
        {
            get { lock (_lock) return _mqtt; }
        }

        public IReadOnlyCollection<string> Topics
        {
            get { lock (_lock) return _topics.ToArray(); }
        }

        public Credentials Credentials => new(UserId, SdkToken);

        public void Cancel()
        {
            try { Cancellation.Cancel(); }
            catch (ObjectDisposedException) { }
        }

        /// <summary>Whether the SDK token is too close to its end to be offered as MQTT password.</summary>
        public bool NeedsTokenBeforeConnect(long nowMs)
        {
            lock (_lock) return _sdkToken is null || _sdkTokenExpiresAt - nowMs < 60_000 || _authFailed;
        }

        private bool _authFailed;

        /// <summary>Obtains a fresh SDK token: with the session token, or by client id for tokenless users.</summary>
        public async Task RefreshTokenAsync(CancellationToken cancellationToken)
        {
            await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                TokenResponse token;
                if (SessionToken is not null)
                {
                    token = await _core.Rest.SendJsonAsync(HttpMethod.Post, "users/token", new Credentials(UserId, SessionToken),
                        new EmptyBody(), ChatJsonContext.Default.EmptyBody, ChatJsonContext.Default.TokenResponse, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var clientId = ClientId ?? throw new GitpleLiveException(GitpleLiveErrorCode.NotConnected, "tokenless users need an MQTT connection first");
                    token = await _core.Rest.SendJsonAsync(HttpMethod.Post, "users/token/by_client_id", new Credentials(UserId, null),
                        new ClientIdBody(clientId), ChatJsonContext.Default.ClientIdBody, ChatJsonContext.Default.TokenResponse, cancellationToken).ConfigureAwait(false);
                }
                if (string.IsNullOrEmpty(token.Token))
                    throw new GitpleLiveException(GitpleLiveErrorCode.UnknownError, "the server answered without a token");
                lock (_lock)
                {
                    _sdkToken = token.Token;
                    _sdkTokenExpiresAt = token.ExpiresAt;
                    _authFailed = false;
                }
                Interlocked.Increment(ref TokenRefreshCount);
            }
            finally
            {
                _refreshLock.Release();
            }
        }

        public async Task ConnectMqttAsync(CancellationToken cancellationToken)
        {
            var options = _core.Options;
            var clientId = Internal.Topics.ClientId(_core.AppId, UserId, ChatClient.SdkVersion, NowMs(), ClientIp ?? "unknown");
            var client = _core._mqttFactory.CreateMqttClient();
            client.ApplicationMessageReceivedAsync += e =>
            {
                _core.OnMqttMessage(this, e);
                return Task.CompletedTask;
            };
            client.DisconnectedAsync += e =>
            {
                _core.OnConnectionLost(this, client, e);
                return Task.CompletedTask;
            };
            var mqttOptions = _core._mqttFactory.CreateClientOptionsBuilder()
                .WithWebSocketServer(ws => ws.WithUri(_core.Endpoint.WebSocketUri).WithSubProtocols(["mqtt"]))
                .WithProtocolVersion(MqttProtocolVersion.V311)
                .WithClientId(clientId)
                .WithCredentials(UserId, SdkToken ?? "")
                .WithCleanSession(true)
                .WithKeepAlivePeriod(options.KeepAlivePeriod)
                .WithTimeout(options.RequestTimeout)
                .Build();
            lock (_lock)
            {
                _mqtt = client;
                ClientId = clientId;
            }
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.RequestTimeout);
                MqttClientConnectResult result;
                try
                {
                    result = await client.ConnectAsync(mqttOptions, timeout.Token).ConfigureAwait(false);
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
                    if (e.Message.Contains("NotAuthorized", StringComparison.Ordinal) || e.Message.Contains("BadUserNameOrPassword", StringComparison.Ordinal))
                        lock (_lock) _authFailed = true;
                    throw new GitpleLiveException(GitpleLiveErrorCode.UnableToConnect, "unable to connect to the MQTT server: " + e.Message, e);
                }
                if (result.ResultCode != MqttClientConnectResultCode.Success)
                {
                    lock (_lock) _authFailed = result.ResultCode is MqttClientConnectResultCode.NotAuthorized or MqttClientConnectResultCode.BadUserNameOrPassword;
                    throw new GitpleLiveException(GitpleLiveErrorCode.UnableToConnect, $"the MQTT server refused the connection: {result.ResultCode}");
                }
            }
            catch
            {
                await DropMqttAsync().ConfigureAwait(false);
                throw;
            }
            lock (_lock) _topics.Clear();
        }

        /// <summary>Subscribes at connect time; a refusal is 60903 and fails the connect.</summary>
        public async Task SubscribeAsync(IReadOnlyList<string> topics, CancellationToken cancellationToken)
        {
            var client = Mqtt ?? throw new GitpleLiveException(GitpleLiveErrorCode.NotConnected, "not connected");
            // Many filters per SUBSCRIBE, but not thousands: keep packets a sensible size.
            foreach (var chunk in topics.Chunk(50))
            {
                var builder = _core._mqttFactory.CreateSubscribeOptionsBuilder();
                foreach (var topic in chunk) builder.WithTopicFilter(f => f.WithTopic(topic).WithAtMostOnceQoS());
                var result = await SubscribeCoreAsync(client, builder.Build(), cancellationToken).ConfigureAwait(false);
                var refused = result.Items.Where(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2).Select(i => i.TopicFilter.Topic).ToList();
                lock (_lock)
                {
                    foreach (var item in result.Items)
                        if (item.ResultCode <= MqttClientSubscribeResultCode.GrantedQoS2) _topics.Add(item.TopicFilter.Topic);
                }
                if (refused.Count > 0)
                    throw new GitpleLiveException(GitpleLiveErrorCode.UnableToSubscribeEvent, "the server refused the subscription to " + string.Join(", ", refused));
            }
        }

        private async Task<MqttClientSubscribeResult> SubscribeCoreAsync(IMqttClient client, MqttClientSubscribeOptions options, CancellationToken cancellationToken)
        {
            try
            {
                return await client.SubscribeAsync(options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                throw Wrap(e);
            }
        }

        /// <summary>
        /// Subscribes after an event (join, manager). A refusal here is reported as 60903 through the
        /// <see cref="ChatClient.Error"/> event without dropping the connection: the right may already be gone
        /// again (a ban right after a join), and every other channel keeps working.
        /// </summary>
        public async Task SubscribeRuntimeAsync(string topic, CancellationToken cancellationToken)
        {
            if (Mqtt is not { IsConnected: true }) return; // the next reconnect subscribes from the joined list
            try
            {
                await SubscribeAsync([topic], cancellationToken).ConfigureAwait(false);
            }
            catch (GitpleLiveException e)
            {
                _core.ReportError(e);
            }
        }

        public async Task JoinChannelTopicsAsync(GroupChannel channel, CancellationToken cancellationToken)
        {
            await SubscribeRuntimeAsync(Internal.Topics.ChannelAll(_core.AppId, channel.ChannelId, channel.Type), cancellationToken).ConfigureAwait(false);
            if (_core.Tracker.IsKnown(channel.ChannelId)) return;
            // Remember where the channel stood when we joined, so a later reconnect catches up from here.
            try
            {
                var path = RestClient.Query($"group/channels/{RestClient.Segment(channel.ChannelId)}/messages", ("limit", "1"));
                var page = await _core.Rest.GetAsync(path, Credentials, ChatJsonContext.Default.MessagePage, cancellationToken).ConfigureAwait(false);
                _core.Tracker.SetBaseline(channel.ChannelId, page.Messages.Count > 0 ? page.Messages.Max(m => m.MessageId) : 0);
            }
            catch (GitpleLiveException)
            {
                // Without a baseline the next reconnect starts from the channel's last message instead.
            }
        }

        public async Task LeaveChannelTopicsAsync(GroupChannel channel, bool managerOnly, CancellationToken cancellationToken)
        {
            var topics = new List<string> { Internal.Topics.ChannelManager(_core.AppId, channel.ChannelId, channel.Type) };
            if (!managerOnly)
            {
                topics.Add(Internal.Topics.ChannelAll(_core.AppId, channel.ChannelId, channel.Type));
                _core.Tracker.Forget(channel.ChannelId);
            }
            lock (_lock)
            {
                topics.RemoveAll(t => !_topics.Contains(t));
                foreach (var t in topics) _topics.Remove(t);
            }
            if (topics.Count == 0 || Mqtt is not { IsConnected: true } client) return;
            var builder = _core._mqttFactory.CreateUnsubscribeOptionsBuilder();
            foreach (var t in topics) builder.WithTopicFilter(t);
            try
            {
                await client.UnsubscribeAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The server cuts these subscriptions itself; failing to say so first is harmless.
            }
        }

        public void Enqueue(Func<CancellationToken, Task> work) => _work.Writer.TryWrite(work);

        public void StartBackgroundWork()
        {
            _workLoop = Task.Run(RunWorkAsync);
            _refreshLoop = Task.Run(RunTokenRefreshAsync);
        }

        private async Task RunWorkAsync()
        {
            var cancellationToken = Cancellation.Token;
            try
            {
                await foreach (var work in _work.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    try
                    {
                        await work(cancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception e)
                    {
                        _core.ReportError(Wrap(e));
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Session over.
            }
        }

        /// <summary>Every check interval: refresh the SDK token when less than the threshold is left.</summary>
        private async Task RunTokenRefreshAsync()
        {
            var cancellationToken = Cancellation.Token;
            using var timer = new PeriodicTimer(_core.Options.TokenRefreshCheckInterval);
            try
            {
                while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (_core.State != ConnectionState.Connected) continue;
                    var left = SdkTokenExpiresAt - NowMs();
                    if (left >= _core.Options.TokenRefreshThreshold.TotalMilliseconds) continue;
                    try
                    {
                        await RefreshTokenAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (GitpleLiveException e)
                    {
                        _core.ReportError(e);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Session over.
            }
        }

        /// <summary>Drops the current MQTT client without triggering a reconnect.</summary>
        public async Task DropMqttAsync()
        {
            IMqttClient? client;
            lock (_lock)
            {
                client = _mqtt;
                _mqtt = null;
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

        public async Task CloseAsync()
        {
            Cancel();
            _work.Writer.TryComplete();
            await DropMqttAsync().ConfigureAwait(false);
            // The loops end on cancellation; do not wait for them here, one of them may be the caller.
        }
    }
}
