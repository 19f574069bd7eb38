namespace GitpleLive.Chat;

/// <summary>An error that happened in the background (token refresh, catch-up, a failing event handler).</summary>
public sealed class ChatErrorEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="exception">The error.</param>
    public ChatErrorEventArgs(GitpleLiveException exception) => Exception = exception;

    /// <summary>The error; <see cref="System.Exception.InnerException"/> holds a handler's own exception.</summary>
    public GitpleLiveException Exception { get; }
}

/// <summary>Why the client disconnected.</summary>
public enum DisconnectReason
{
    /// <summary><see cref="ChatClient.DisconnectUserAsync"/> or <see cref="ChatClient.DisposeAsync"/> was called.</summary>
    ClientRequested,

    /// <summary>Every reconnect attempt failed (or reconnecting is off).</summary>
    ReconnectFailed,

    /// <summary>The user was deleted (<c>user_delete</c>).</summary>
    UserDeleted,

    /// <summary>The server refused a subscription the client needs (60903).</summary>
    SubscriptionRefused,
}

/// <summary>Data of <see cref="ChatConnection.Disconnected"/>.</summary>
public sealed class DisconnectedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="reason">Why the client disconnected.</param>
    /// <param name="exception">The last error, if the disconnect was not requested.</param>
    public DisconnectedEventArgs(DisconnectReason reason, GitpleLiveException? exception = null)
    {
        Reason = reason;
        Exception = exception;
    }

    /// <summary>Why the client disconnected.</summary>
    public DisconnectReason Reason { get; }

    /// <summary>The last error, if the disconnect was not requested.</summary>
    public GitpleLiveException? Exception { get; }
}

/// <summary>Data of an event about a user (<c>user_update</c>, <c>user_delete</c>).</summary>
public sealed class UserEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="user">The user.</param>
    public UserEventArgs(User user) => User = user;

    /// <summary>The user as it is now.</summary>
    public User User { get; }
}

/// <summary>Data of an event about a channel (update, delete, freeze, unfreeze, read, delivered).</summary>
public sealed class ChannelEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="channel">The channel.</param>
    public ChannelEventArgs(GroupChannel channel) => Channel = channel;

    /// <summary>The channel; read and delivery events carry <see cref="GroupChannel.ReadReceipt"/>, <see
    /// cref="GroupChannel.DeliveryReceipt"/> and <see cref="GroupChannel.Unread"/>.</summary>
    public GroupChannel Channel { get; }
}

/// <summary>Data of an event about a user in a channel (join, leave, manager create/delete, unban).</summary>
/// <param name="channel">The channel.</param>
/// <param name="user">The user concerned.</param>
public sealed class ChannelUserEventArgs(GroupChannel channel, User user) : EventArgs
{
    /// <summary>The channel.</summary>
    public GroupChannel Channel { get; } = channel;

    /// <summary>The user who joined, left, became or stopped being a manager, or was unbanned.</summary>
    public User User { get; } = user;
}

/// <summary>Data of <see cref="GroupChannelClient.UserBanned"/>.</summary>
/// <param name="channel">The channel.</param>
/// <param name="user">The banned user.</param>
/// <param name="ban">The ban.</param>
public sealed class ChannelBanEventArgs(GroupChannel channel, User user, Ban ban) : EventArgs
{
    /// <summary>The channel.</summary>
    public GroupChannel Channel { get; } = channel;

    /// <summary>The banned user.</summary>
    public User User { get; } = user;

    /// <summary>The ban: start, end and reason.</summary>
    public Ban Ban { get; } = ban;
}

/// <summary>Data of <see cref="GroupChannelClient.ReportCreated"/>.</summary>
/// <param name="channel">The channel.</param>
/// <param name="report">The new report.</param>
public sealed class ChannelReportEventArgs(GroupChannel channel, Report report) : EventArgs
{
    /// <summary>The channel.</summary>
    public GroupChannel Channel { get; } = channel;

    /// <summary>The new report.</summary>
    public Report Report { get; } = report;
}

/// <summary>Data of a message event (sent, updated, deleted).</summary>
/// <param name="channel">The channel.</param>
/// <param name="message">The message.</param>
public sealed class ChannelMessageEventArgs(GroupChannel channel, Message message) : EventArgs
{
    /// <summary>The channel.</summary>
    public GroupChannel Channel { get; } = channel;

    /// <summary>The message.</summary>
    public Message Message { get; } = message;
}
