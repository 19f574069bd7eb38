using System.Net.WebSockets;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Server;

namespace GitpleLive.Server.Realtime;

/// <summary>
/// The <c>/ws</c> endpoint and MQTTnet's server adapter in one: accepts MQTT-over-WebSocket requests on the
/// API's port and hands each connection to the MQTT server as a <see cref="RealtimeConnection"/>.
/// </summary>
internal sealed class RealtimeEndpoint(
    RealtimeOptions options,
    SubscriptionRegistry registry,
    ConnectionDirectory directory,
    ILogger<RealtimeConnection> connectionLogger) : IMqttServerAdapter
{
    private readonly RealtimeOptions _options = options;

    /// <summary>Set by the MQTT server when it starts; runs one client's whole MQTT session.</summary>
    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger) => Task.CompletedTask;

    // The server closes its sessions itself on stop; requests still open end with them.
    public Task StopAsync() => Task.CompletedTask;

    public void Dispose() { }

    /// <summary>Handles one request to the endpoint.</summary>
    public async Task HandleAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status426UpgradeRequired;
            http.Response.Headers.Upgrade = "websocket";
            return;
        }
        var handler = ClientHandler;
        if (handler is null)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }
        var requested = http.WebSockets.WebSocketRequestedProtocols;
        var subProtocol = SelectSubProtocol(requested);
        if (requested.Count > 0 && subProtocol is null)
        {
            // A browser would refuse an answer without one of its protocols anyway.
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        // MQTT's own keep-alive (PINGREQ) watches the connection, so the WebSocket needs no ping timer.
        using var webSocket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = subProtocol,
            KeepAliveInterval = TimeSpan.Zero,
        });
        var connection = new RealtimeConnection(webSocket, http, _options, connectionLogger, Closed);
        directory.Opened(connection);
        try
        {
            await handler(connection);
        }
        catch (Exception e)
        {
            connectionLogger.LogDebug(e, "MQTT session of {ClientId} ended with an error", connection.ClientId);
        }
        finally
        {
            connection.EndRequest();
            connection.Dispose();
        }
    }

    private void Closed(RealtimeConnection connection)
    {
        registry.RemoveConnection(connection);
        directory.Closed(connection);
    }

    /// <summary>
    /// Picks the MQTT sub-protocol among those requested: <c>mqtt</c> (3.1.1 and 5) first, then the
    /// 3.1 name <c>mqttv3.1</c> or any other starting with <c>mqtt</c>.
    /// </summary>
    internal static string? SelectSubProtocol(IList<string> requested)
    {
        string? fallback = null;
        foreach (var p in requested)
        {
            if (string.Equals(p, "mqtt", StringComparison.OrdinalIgnoreCase)) return p;
            if (fallback is null && p.StartsWith("mqtt", StringComparison.OrdinalIgnoreCase)) fallback = p;
        }
        return fallback;
    }
}
