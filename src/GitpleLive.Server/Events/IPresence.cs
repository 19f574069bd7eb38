namespace GitpleLive.Server.Events;

/// <summary>
/// Who is online (PROTOCOL §6: while at least one MQTT connection of the user is up).
/// The realtime layer reports connects and disconnects; REST reads it.
/// </summary>
public interface IPresence
{
    void Connected(string appId, string userId, string clientId);
    void Disconnected(string appId, string userId, string clientId);
    /// <summary>True when that exact client id is connected right now as that user.</summary>
    ValueTask<bool> IsClientConnectedAsync(string appId, string userId, string clientId, CancellationToken cancellationToken = default);
    /// <summary>The subset of <paramref name="userIds"/> that is online.</summary>
    ValueTask<IReadOnlyList<string>> OnlineAsync(string appId, IEnumerable<string> userIds, CancellationToken cancellationToken = default);
}
