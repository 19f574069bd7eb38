namespace GitpleLive.Chat;

/// <summary>
/// An open channel (PROTOCOL §10): a public <see cref="Channel"/> of type <c>open</c> without members; whoever entered it
/// and is connected is a participant.
/// </summary>
public sealed record OpenChannel : Channel
{
    /// <summary>How many users are in the channel now; in call answers (events leave it out).</summary>
    public long? ParticipantCount { get; init; }
}

/// <summary>One page of open channels.</summary>
public sealed record OpenChannelPage
{
    /// <summary>The channels of this page, newest first.</summary>
    public IReadOnlyList<OpenChannel> Channels { get; init; } = [];

    /// <summary>The cursor of the next page (pass it as <see cref="OpenChannelQuery.Next"/>); <see langword="null"/> on the last
    /// page.</summary>
    public string? Next { get; init; }
}

/// <summary>One page of an open channel's participants, in user id order.</summary>
public sealed record ParticipantPage
{
    /// <summary>The participants of this page.</summary>
    public IReadOnlyList<User> Participants { get; init; } = [];

    /// <summary>The cursor of the next page; <see langword="null"/> on the last page.</summary>
    public string? Next { get; init; }
}

/// <summary>Paging and filters of <see cref="OpenChannelClient.GetChannelListAsync"/>.</summary>
public sealed record OpenChannelQuery
{
    /// <summary>Page size; the server's default is 20 and its maximum 100.</summary>
    public int? Limit { get; init; }

    /// <summary>Only channels whose name contains this (case-insensitive).</summary>
    public string? Name { get; init; }

    /// <summary>The cursor of the page to get (<see cref="OpenChannelPage.Next"/>).</summary>
    public string? Next { get; init; }
}

/// <summary>An open channel event that concerns the channel itself.</summary>
/// <param name="channel">The channel as it is now.</param>
public sealed class OpenChannelEventArgs(OpenChannel channel) : EventArgs
{
    /// <summary>The channel as it is now.</summary>
    public OpenChannel Channel { get; } = channel;
}

/// <summary>An open channel event about one user (a ban lifted, a manager appointed or removed, an exit).</summary>
/// <param name="channel">The channel.</param>
/// <param name="user">The user concerned.</param>
public sealed class OpenChannelUserEventArgs(OpenChannel channel, User user) : EventArgs
{
    /// <summary>The channel.</summary>
    public OpenChannel Channel { get; } = channel;

    /// <summary>The user concerned.</summary>
    public User User { get; } = user;
}

/// <summary>A ban in an open channel.</summary>
/// <param name="channel">The channel.</param>
/// <param name="user">The banned user.</param>
/// <param name="ban">The ban.</param>
public sealed class OpenChannelBanEventArgs(OpenChannel channel, User user, Ban ban) : EventArgs
{
    /// <summary>The channel.</summary>
    public OpenChannel Channel { get; } = channel;

    /// <summary>The banned user.</summary>
    public User User { get; } = user;

    /// <summary>The ban, with its end.</summary>
    public Ban Ban { get; } = ban;
}

/// <summary>A message event of an open channel.</summary>
/// <param name="channel">The channel.</param>
/// <param name="message">The message.</param>
public sealed class OpenChannelMessageEventArgs(OpenChannel channel, Message message) : EventArgs
{
    /// <summary>The channel.</summary>
    public OpenChannel Channel { get; } = channel;

    /// <summary>The message.</summary>
    public Message Message { get; } = message;
}
