using GitpleLive.Chat.Internal;
using Microsoft.Extensions.Logging;

namespace GitpleLive.Chat;

/// <summary>
/// The entry point of the SDK: one client per end user, talking to a GitpleLive-compatible server over
/// REST and realtime MQTT events. Mirrors the JavaScript SDK's <c>ChatClient</c>: <see cref="Connection"/>,
/// <see cref="User"/>, <see cref="GroupChannel"/> and <see cref="Moderation"/>.
/// </summary>
/// <remarks>
/// The client is thread-safe. Event handlers run one at a time, in event order, on an internal queue;
/// a slow handler delays later events but never the connection. Dispose the client with
/// <see cref="DisposeAsync"/> to disconnect and release it.
/// </remarks>
/// <example>
/// <code>
/// await using var client = new ChatClient(new ChatClientOptions { Host = "live.example.com", AppId = appId });
/// client.GroupChannel.MessageReceived += (_, e) => Console.WriteLine($"{e.Message.User.Name}: {e.Message.Content}");
/// await client.ConnectUserAsync(userId, sessionToken);
/// await client.GroupChannel.SendMessageAsync(channelId, "hello");
/// </code>
/// </example>
public sealed partial class ChatClient : IAsyncDisposable
{
    /// <summary>The SDK version sent in the MQTT client id.</summary>
    public const string SdkVersion = "1.1.0";

    private readonly ChatCore _core;

    /// <summary>Creates a client; it does not connect until <see cref="ConnectUserAsync"/>.</summary>
    /// <param name="options">The host, app id and optional settings.</param>
    /// <exception cref="GitpleLiveException">60101 when the host or app id is missing or a setting is invalid.</exception>
    public ChatClient(ChatClientOptions options)
    {
        _core = new ChatCore(options, this);
        Connection = new ChatConnection(_core);
        User = new UserClient(_core);
        GroupChannel = new GroupChannelClient(_core);
        Moderation = new ModerationClient(_core);
        if (options.LoggerFactory is { } loggers) Log(loggers.CreateLogger<ChatClient>());
    }

    private void Log(ILogger logger)
    {
        Connection.Connected += (_, _) => logger.LogInformation("Connected to {Host} as {UserId}", Options.Host, UserId);
        Connection.ReconnectStarted += (_, _) => logger.LogInformation("Connection to {Host} lost; reconnecting", Options.Host);
        Connection.ReconnectSucceeded += (_, _) => logger.LogInformation("Reconnected to {Host}", Options.Host);
        Connection.ReconnectFailed += (_, _) => logger.LogWarning("Gave up reconnecting to {Host}", Options.Host);
        Connection.Disconnected += (_, _) => logger.LogInformation("Disconnected from {Host}", Options.Host);
        Error += (_, e) => logger.LogWarning(e.Exception, "Chat client error {Code}: {Message}", e.Exception.Code, e.Exception.Message);
    }

    /// <summary>The options the client was created with.</summary>
    public ChatClientOptions Options => _core.Options;

    /// <summary>The connection's state and events.</summary>
    public ChatConnection Connection { get; }

    /// <summary>The connected user's profile and events.</summary>
    public UserClient User { get; }

    /// <summary>Group channels, members, messages and their events.</summary>
    public GroupChannelClient GroupChannel { get; }

    /// <summary>Reports.</summary>
    public ModerationClient Moderation { get; }

    /// <summary>The id of the connected user, or <see langword="null"/> when disconnected.</summary>
    public string? UserId => _core.UserId;

    /// <summary>
    /// Raised for errors that no call can throw: a failed background token refresh, a failed catch-up,
    /// a refused subscription after a join, an unreadable event, or an exception thrown by an event handler
    /// (seed: <c>error</c>).
    /// </summary>
    public event EventHandler<ChatErrorEventArgs>? Error;

    /// <summary>
    /// Connects a user: checks the session token, gets an SDK token, opens the realtime connection and
    /// subscribes to the user's and joined channels' events (PROTOCOL §4, §6).
    /// </summary>
    /// <param name="userId">The user to connect as.</param>
    /// <param name="sessionToken">
    /// The session token issued by your backend (Platform API <c>POST /v1/users/{id}/token</c>); <see langword="null"/>
    /// for tokenless users, when the app allows them.
    /// </param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>A task that completes when connected; <see cref="ChatConnection.Connected"/> is raised too.</returns>
    /// <exception cref="GitpleLiveException">
    /// 60101 for a missing user id or when another user is connected; 60102 when the token names another user or
    /// cannot be read; 60103 when it expires within 10 s; 60901 when the server does not answer in time; 60902
    /// when it cannot be reached or refuses the connection; 60903 when it refuses a subscription; a server code
    /// (such as 4001) when it refuses the token.
    /// </exception>
    public Task ConnectUserAsync(string userId, string? sessionToken = null, CancellationToken cancellationToken = default) =>
        _core.ConnectAsync(userId, sessionToken, cancellationToken);

    /// <summary>Disconnects the user; <see cref="ChatConnection.Disconnected"/> is raised. Does nothing when not connected.</summary>
    /// <param name="cancellationToken">Cancels waiting for the disconnect.</param>
    /// <returns>A task that completes when disconnected.</returns>
    public Task DisconnectUserAsync(CancellationToken cancellationToken = default) => _core.DisconnectAsync(cancellationToken);

    /// <summary>Disconnects, runs the event handlers still queued, and releases the client.</summary>
    /// <returns>A task that completes when the client is released.</returns>
    public ValueTask DisposeAsync() => _core.DisposeAsync();

    internal ChatCore Core => _core;

    internal void RaiseError(GitpleLiveException error) => Error?.Invoke(this, new ChatErrorEventArgs(error));
}
