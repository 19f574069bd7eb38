namespace GitpleLive.Server.Realtime;

/// <summary>
/// After a Redis outage this node's clients may have missed other nodes' events: their connections are closed,
/// so the SDKs reconnect and catch up from the store (PROTOCOL: reconnect with catch-up) — nothing is lost silently.
/// </summary>
internal sealed class RealtimeResync(ConnectionDirectory directory, ILogger<RealtimeResync> logger) : IEventGapListener
{
    public void EventsMayHaveBeenMissed()
    {
        var connections = directory.All();
        foreach (var connection in connections) connection.Abort(null);
        logger.LogWarning("Closed {Count} MQTT connections after the Redis outage so their clients catch up", connections.Length);
    }
}
