using System.Threading.Channels;
using GitpleLive.Protocol;

namespace GitpleLive.Chat.Internal;

/// <summary>
/// One <see cref="ChatClient.ConnectUserAsync"/>: the user, the SDK token (<see cref="TokenKeeper"/>), the MQTT
/// connection (<see cref="MqttTransport"/>, replaced on reconnect), and the work queue for broker calls that events
/// trigger (subscribing after a join), which must not run on the MQTT receive loop.
/// </summary>
internal sealed class ChatSession
{
    private readonly ChatCore _core;
    private readonly Channel<Func<CancellationToken, Task>> _work =
        System.Threading.Channels.Channel.CreateUnbounded<Func<CancellationToken,
            Task>>(new UnboundedChannelOptions { SingleReader = true });

    public ChatSession(ChatCore core, string userId, string? sessionToken)
    {
        _core = core;
        UserId = userId;
        SessionToken = sessionToken;
        Tokens = new TokenKeeper(FetchTokenAsync, core.Time);
        Transport = new MqttTransport(e => core.OnMqttMessage(this, e), () => core.OnConnectionLost(this));
    }

    public string UserId { get; }
    public string? SessionToken { get; }
    public string? ClientIp { get; set; }
    public string? ClientId { get; private set; }
    public volatile bool UserDeleteSeen;
    public CancellationTokenSource Cancellation { get; } = new();
    public bool IsCancelled => Cancellation.IsCancellationRequested;
    public TokenKeeper Tokens { get; }
    public MqttTransport Transport { get; }

    public Credentials Credentials => new(UserId, Tokens.Token);

    public void Cancel()
    {
        try { Cancellation.Cancel(); }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Opens a new MQTT connection with the current SDK token as password (PROTOCOL §4).</summary>
    public async Task ConnectMqttAsync(CancellationToken cancellationToken)
    {
        var options = _core.Options;
        var clientId = Topics.ClientId(_core.AppId, UserId, ChatClient.SdkVersion, _core.NowMs(), ClientIp ?? "unknown");
        ClientId = clientId;
        // A tokenless user whose token was refused starts over as the protocol says: with an empty password.
        var password = SessionToken is null && Tokens.WasRefused ? "" : Tokens.Token ?? "";
        try
        {
            await Transport.ConnectAsync(_core.Endpoint.WebSocketUri, clientId, UserId, password, options.KeepAlivePeriod,
                options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (GitpleLiveException e) when (e.Code == GitpleLiveErrorCode.Unauthorized)
        {
            Tokens.MarkRefused();
            throw;
        }
    }

    /// <summary>A new SDK token: with the session token, or by client id for tokenless users.</summary>
    private Task<TokenResponse> FetchTokenAsync(CancellationToken cancellationToken)
    {
        if (SessionToken is not null)
            return _core.Rest.SendJsonAsync(HttpMethod.Post, "users/token", new Credentials(UserId, SessionToken),
                new EmptyBody(), ChatJsonContext.Default.EmptyBody, ChatJsonContext.Default.TokenResponse, cancellationToken);
        var clientId = ClientId
            ?? throw new GitpleLiveException(GitpleLiveErrorCode.NotConnected, "tokenless users need an MQTT connection first");
        return _core.Rest.SendJsonAsync(HttpMethod.Post, "users/token/by_client_id", new Credentials(UserId, null),
            new ClientIdBody(clientId), ChatJsonContext.Default.ClientIdBody, ChatJsonContext.Default.TokenResponse, cancellationToken);
    }

    /// <summary>
    /// Subscribes after an event (join, manager). A refusal here is reported as 60903 through the
    /// <see cref="ChatClient.Error"/> event without dropping the connection: the right may already be gone
    /// again (a ban right after a join), and every other channel keeps working.
    /// </summary>
    public async Task SubscribeRuntimeAsync(string topic, CancellationToken cancellationToken)
    {
        if (!Transport.IsConnected) return; // the next reconnect subscribes from the joined list
        try
        {
            await Transport.SubscribeAsync([topic], cancellationToken).ConfigureAwait(false);
        }
        catch (GitpleLiveException e)
        {
            _core.ReportError(e);
        }
    }

    public async Task JoinChannelTopicsAsync(GroupChannel channel, CancellationToken cancellationToken)
    {
        await SubscribeRuntimeAsync(Topics.ChannelAll(_core.AppId, channel.ChannelId, channel.Type),
            cancellationToken).ConfigureAwait(false);
        if (_core.Tracker.IsKnown(channel.ChannelId)) return;
        // Remember where the channel stood when we joined, so a later reconnect catches up from here.
        try
        {
            var path = RestClient.Query($"group/channels/{RestClient.Segment(channel.ChannelId)}/messages", ("limit", "1"));
            var page = await _core.Rest.GetAsync(path, Credentials, ChatJsonContext.Default.MessagePage,
                cancellationToken).ConfigureAwait(false);
            _core.Tracker.SetBaseline(channel.ChannelId, page.Messages.Count > 0 ? page.Messages.Max(m => m.MessageId) : 0);
        }
        catch (GitpleLiveException)
        {
            // Without a baseline the next reconnect starts from the channel's last message instead.
        }
    }

    public Task LeaveChannelTopicsAsync(GroupChannel channel, bool managerOnly, CancellationToken cancellationToken)
    {
        var topics = new List<string> { Topics.ChannelManager(_core.AppId, channel.ChannelId, channel.Type) };
        if (!managerOnly)
        {
            topics.Add(Topics.ChannelAll(_core.AppId, channel.ChannelId, channel.Type));
            _core.Tracker.Forget(channel.ChannelId);
        }
        return Transport.UnsubscribeAsync(topics, cancellationToken);
    }

    public void Enqueue(Func<CancellationToken, Task> work) => _work.Writer.TryWrite(work);

    public void StartBackgroundWork()
    {
        var options = _core.Options;
        _ = Task.Run(RunWorkAsync);
        _ = Tokens.RunAsync(options.TokenRefreshCheckInterval, options.TokenRefreshThreshold,
            () => _core.State == ConnectionState.Connected, _core.ReportError, Cancellation.Token);
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
                    _core.ReportError(ChatCore.Wrap(e));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Session over.
        }
    }

    public async Task CloseAsync()
    {
        Cancel();
        _work.Writer.TryComplete();
        await Transport.DropAsync().ConfigureAwait(false);
        // The loops end on cancellation; do not wait for them here, one of them may be the caller.
    }
}
