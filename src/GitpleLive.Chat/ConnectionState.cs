namespace GitpleLive.Chat;

/// <summary>The state of a <see cref="ChatClient"/>'s connection.</summary>
public enum ConnectionState
{
    /// <summary>No user is connected.</summary>
    Disconnected,

    /// <summary><see cref="ChatClient.ConnectUserAsync"/> is running.</summary>
    Connecting,

    /// <summary>Connected: REST calls work and realtime events arrive.</summary>
    Connected,

    /// <summary>The connection was lost and is being restored; REST calls still work with the current token.</summary>
    Reconnecting,
}
