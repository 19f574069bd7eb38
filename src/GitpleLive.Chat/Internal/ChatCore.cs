using MQTTnet.Exceptions;

namespace GitpleLive.Chat.Internal;

/// <summary>
/// The connection engine behind <see cref="ChatClient"/>. Split by concern: this file holds the state and the
/// surface the public clients use; <c>ChatCore.Connect.cs</c> the connect sequence, <c>ChatCore.Reconnect.cs</c>
/// reconnect with catch-up, <c>ChatCore.Events.cs</c> the routing of realtime events. One user's connection is a
/// <see cref="ChatSession"/> (its MQTT side a <see cref="MqttTransport"/>, its SDK token a <see cref="TokenKeeper"/>).
/// </summary>
/// <remarks>
/// Concurrency: <see cref="_lifecycle"/> serialises connect, disconnect and each reconnect attempt;
/// <see cref="_gate"/> guards the small shared fields. The MQTT receive callback never awaits network
/// work: it parses, decides and posts. Work that must talk to the broker (subscribing after a join)
/// goes to the session's work queue, user handlers to the <see cref="EventDispatcher"/>.
/// </remarks>
internal sealed partial class ChatCore : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private ChatSession? _session;
    private ChatSession? _pending;
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

    /// <summary>The clock for token expiry decisions (<see cref="ChatClientOptions.TimeProvider"/>).</summary>
    public TimeProvider Time => Options.TimeProvider;

    public ConnectionState State
    {
        get { lock (_gate) return _state; }
    }

    public string? UserId
    {
        get { lock (_gate) return _session?.UserId; }
    }

    /// <summary>The credentials of an SDK call; 60904 unless connected (or reconnecting with a token).</summary>
    public Credentials RequireCredentials()
    {
        lock (_gate)
        {
            if (_session is { } s && _state is ConnectionState.Connected or ConnectionState.Reconnecting && s.Tokens.Token is { } token)
                return new Credentials(s.UserId, token);
        }
        throw new GitpleLiveException(GitpleLiveErrorCode.NotConnected, "not connected; call ConnectUserAsync first");
    }

    public void ReportError(GitpleLiveException error) => Dispatcher.Post(() => Client.RaiseError(error));

    /// <summary>Now in Unix milliseconds, on the client's clock.</summary>
    public long NowMs() => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Maps a failure to the SDK's exception by its type (never by its message text).</summary>
    internal static GitpleLiveException Wrap(Exception e) => e switch
    {
        GitpleLiveException g => g,
        MqttCommunicationTimedOutException or TimeoutException =>
            new GitpleLiveException(GitpleLiveErrorCode.ServerNotResponding, "the server did not answer in time: " + e.Message, e),
        OperationCanceledException => new GitpleLiveException(GitpleLiveErrorCode.ServerNotResponding,
            "the server did not answer in time", e),
        MqttCommunicationException or HttpRequestException or System.Net.WebSockets.WebSocketException
            or System.Net.Sockets.SocketException =>
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
}
