using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat;

/// <summary>
/// The connection's state and events (the seed's <c>client.connection</c>). Handlers run one at a time on
/// the client's event queue, never on the network loop.
/// </summary>
public sealed class ChatConnection
{
    private readonly ChatCore _core;

    internal ChatConnection(ChatCore core) => _core = core;

    /// <summary>The current state.</summary>
    public ConnectionState State => _core.State;

    /// <summary>Whether the client is connected (<see cref="ConnectionState.Connected"/>).</summary>
    public bool IsConnected => State == ConnectionState.Connected;

    /// <summary>Raised when <see cref="ChatClient.ConnectUserAsync"/> has connected (seed: <c>connected</c>).</summary>
    public event EventHandler? Connected;

    /// <summary>Raised when the connection was lost and reconnecting starts (seed: <c>reconnect_start</c>).</summary>
    public event EventHandler? ReconnectStarted;

    /// <summary>
    /// Raised when the connection is back, subscriptions are restored and the messages missed meanwhile
    /// have been raised (seed: <c>reconnect_success</c>).
    /// </summary>
    public event EventHandler? ReconnectSucceeded;

    /// <summary>Raised when every reconnect attempt failed; <see cref="Disconnected"/> follows (seed: <c>reconnect_failed</c>).</summary>
    public event EventHandler? ReconnectFailed;

    /// <summary>
    /// Raised when the client is disconnected for good: on request, after failed reconnecting, when the
    /// user is deleted, or when a needed subscription is refused (seed: <c>disconnected</c>).
    /// </summary>
    public event EventHandler<DisconnectedEventArgs>? Disconnected;

    internal void RaiseConnected() => Connected?.Invoke(this, EventArgs.Empty);
    internal void RaiseReconnectStarted() => ReconnectStarted?.Invoke(this, EventArgs.Empty);
    internal void RaiseReconnectSucceeded() => ReconnectSucceeded?.Invoke(this, EventArgs.Empty);
    internal void RaiseReconnectFailed() => ReconnectFailed?.Invoke(this, EventArgs.Empty);
    internal void RaiseDisconnected(DisconnectedEventArgs args) => Disconnected?.Invoke(this, args);
}
