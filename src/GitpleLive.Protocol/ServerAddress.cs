namespace GitpleLive.Protocol;

/// <summary>
/// How a host name becomes the server's URLs (PROTOCOL §1): a host containing <c>localhost</c> is reached over
/// <c>http</c>/<c>ws</c>, any other over <c>https</c>/<c>wss</c> (port 443 unless the host names one).
/// </summary>
public static class ServerAddress
{
    /// <summary>Whether a host is reached over TLS by default: every host except those containing <c>localhost</c>.</summary>
    /// <param name="host">The host without scheme, for example <c>live.example.com</c> or <c>localhost:5080</c>.</param>
    /// <returns><see langword="true"/> for TLS.</returns>
    public static bool UsesTls(string host) => !host.Contains("localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary><c>http(s)://{host}/</c>, the base of every REST path.</summary>
    /// <param name="host">The host without scheme or path.</param>
    /// <param name="useTls">Forces TLS on or off; <see langword="null"/> for the rule of <see cref="UsesTls"/>.</param>
    /// <returns>The base URI, ending in a slash.</returns>
    public static Uri BaseUri(string host, bool? useTls = null) =>
        new($"{((useTls ?? UsesTls(host)) ? "https" : "http")}://{host.TrimEnd('/')}/");

    /// <summary><c>ws(s)://{host}/ws</c>, the MQTT-over-WebSocket endpoint.</summary>
    /// <param name="host">The host without scheme or path.</param>
    /// <param name="useTls">Forces TLS on or off; <see langword="null"/> for the rule of <see cref="UsesTls"/>.</param>
    /// <returns>The WebSocket URI.</returns>
    public static Uri WebSocketUri(string host, bool? useTls = null) =>
        new($"{((useTls ?? UsesTls(host)) ? "wss" : "ws")}://{host.TrimEnd('/')}/ws");
}
