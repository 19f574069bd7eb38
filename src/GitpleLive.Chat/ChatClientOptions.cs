namespace GitpleLive.Chat;

/// <summary>
/// Settings of a <see cref="ChatClient"/>. Only <see cref="Host"/> and <see cref="AppId"/> are required;
/// every other setting states its default.
/// </summary>
public sealed record ChatClientOptions
{
    /// <summary>
    /// The API host without scheme or path, for example <c>live.example.com</c> or <c>localhost:5080</c>.
    /// Required. REST calls go to <c>https://{Host}</c> and realtime events to <c>wss://{Host}/ws</c>, unless
    /// the host contains <c>localhost</c> (then <c>http</c>/<c>ws</c>) or <see cref="UseTls"/> says otherwise.
    /// A port in the host is kept; without one the scheme's default port (443 or 80) is used.
    /// </summary>
    public string? Host { get; init; }

    /// <summary>The app id issued by the server. Required.</summary>
    public string? AppId { get; init; }

    /// <summary>
    /// Forces TLS on (<c>https</c>/<c>wss</c>) or off (<c>http</c>/<c>ws</c>). Default <see langword="null"/>:
    /// TLS unless <see cref="Host"/> contains <c>localhost</c>.
    /// </summary>
    public bool? UseTls { get; init; }

    /// <summary>How long a REST call or an MQTT handshake (CONNACK, SUBACK) may take before it fails with 60901. Default 30
    /// seconds.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a file upload may take before it fails with 60901. Default 5 minutes.</summary>
    public TimeSpan FileUploadTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>MQTT keep-alive period. Default 30 seconds.</summary>
    public TimeSpan KeepAlivePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a lost connection is retried before giving up. Default 10; 0 turns reconnecting off.</summary>
    public int MaxReconnectAttempts { get; init; } = 10;

    /// <summary>
    /// Delay before the first reconnect attempt. Each further attempt doubles it, up to
    /// <see cref="MaxReconnectDelay"/>, plus up to 20% random jitter. Default 1 second.
    /// </summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between reconnect attempts. Default 30 seconds.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the SDK token's remaining validity is checked. Default 10 minutes.</summary>
    public TimeSpan TokenRefreshCheckInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The SDK token is refreshed when less than this validity is left at a check. Default 1 hour.</summary>
    public TimeSpan TokenRefreshThreshold { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// After a reconnect, fetch the messages sent while the connection was down and raise them as
    /// <see cref="GroupChannelClient.MessageReceived"/> events, in order and without duplicates. Default <see langword="true"/>.
    /// </summary>
    public bool CatchUpMissedMessages { get; init; } = true;

    /// <summary>
    /// The HTTP handler for REST calls, for proxies or custom certificates. Default <see langword="null"/>:
    /// a <see cref="SocketsHttpHandler"/> owned by the client. A handler given here is not disposed by the client.
    /// </summary>
    public HttpMessageHandler? HttpMessageHandler { get; init; }

    /// <summary>
    /// The clock the SDK measures token validity on: when the SDK token is refreshed
    /// (<see cref="TokenRefreshCheckInterval"/>, <see cref="TokenRefreshThreshold"/>), whether a session token is
    /// about to expire, and the connect time in the MQTT client id. Default <see cref="System.TimeProvider.System"/>.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Where the client logs its connection's life (connected, reconnecting, disconnected, at Information) and the errors
    /// it raises through <see cref="ChatClient.Error"/> (at Warning). Default <see langword="null"/>: no logging. The DI
    /// registration (<c>AddGitpleLiveChat</c>) sets the container's.
    /// </summary>
    public Microsoft.Extensions.Logging.ILoggerFactory? LoggerFactory { get; init; }
}
