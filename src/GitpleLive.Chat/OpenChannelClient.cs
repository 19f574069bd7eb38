using System.Collections.Concurrent;
using System.Globalization;
using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat;

/// <summary>
/// Open channels (PROTOCOL §10): public channels for large audiences, with no members. Whoever <see cref="EnterAsync">entered</see>
/// a channel and is connected is a participant: they hear its <c>open:*</c> events and may send. The client enters again
/// (and listens again) by itself after a reconnect. Every call needs a connected client (else 60904); a missing channel id
/// fails with 60104.
/// </summary>
public sealed class OpenChannelClient
{
    private readonly ChatCore _core;
    private readonly ConcurrentDictionary<string, byte> _entered = new(StringComparer.Ordinal);

    internal OpenChannelClient(ChatCore core)
    {
        _core = core;
        core.Connection.ReconnectSucceeded += (_, _) => _ = EnterAgainAsync();
    }

    // ------------------------------------------------------------------ events

    /// <summary>A message was sent to an entered channel (<c>open:message_send</c>).</summary>
    public event EventHandler<OpenChannelMessageEventArgs>? MessageReceived;

    /// <summary>A message's meta changed (<c>open:message_update</c>).</summary>
    public event EventHandler<OpenChannelMessageEventArgs>? MessageUpdated;

    /// <summary>A message was deleted (<c>open:message_delete</c>).</summary>
    public event EventHandler<OpenChannelMessageEventArgs>? MessageDeleted;

    /// <summary>A channel's name, image or meta changed (<c>open:channel_update</c>).</summary>
    public event EventHandler<OpenChannelEventArgs>? ChannelUpdated;

    /// <summary>An entered channel was deleted (<c>open:channel_delete</c>); the client stops listening to it.</summary>
    public event EventHandler<OpenChannelEventArgs>? ChannelDeleted;

    /// <summary>A channel was frozen (<c>open:channel_freeze</c>): only managers may send.</summary>
    public event EventHandler<OpenChannelEventArgs>? ChannelFrozen;

    /// <summary>A channel was unfrozen (<c>open:channel_unfreeze</c>).</summary>
    public event EventHandler<OpenChannelEventArgs>? ChannelUnfrozen;

    /// <summary>A user was banned (<c>open:channel_ban</c>); when it is the connected user, they are out and the client stops
    /// listening to the channel.</summary>
    public event EventHandler<OpenChannelBanEventArgs>? UserBanned;

    /// <summary>A user's ban was lifted (<c>open:channel_unban</c>).</summary>
    public event EventHandler<OpenChannelUserEventArgs>? UserUnbanned;

    /// <summary>A user became a manager (<c>open:channel_manager_create</c>).</summary>
    public event EventHandler<OpenChannelUserEventArgs>? ManagerCreated;

    /// <summary>A user stopped being a manager (<c>open:channel_manager_delete</c>).</summary>
    public event EventHandler<OpenChannelUserEventArgs>? ManagerDeleted;

    /// <summary>The connected user left a channel (<c>open:channel_exit</c>, on any of their devices).</summary>
    public event EventHandler<OpenChannelUserEventArgs>? Exited;

    // ------------------------------------------------------------------ channels

    /// <summary>Creates an open channel (POST <c>/open/channels</c>); the connected user becomes its manager.</summary>
    /// <param name="channelId">The new channel's id (unique among the app's channels of both kinds).</param>
    /// <param name="name">Its name.</param>
    /// <param name="profileUrl">Its image URL, if any.</param>
    /// <param name="meta">Custom key/value data, if any.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The channel.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1007.</exception>
    public Task<OpenChannel> CreateChannelAsync(string channelId, string name, string? profileUrl = null,
        IReadOnlyDictionary<string, string>? meta = null, CancellationToken cancellationToken = default)
    {
        var body = new CreateOpenChannelBody(Argument.ChannelId(channelId), Argument.Required(name, nameof(name)), profileUrl, meta);
        return _core.Rest.SendJsonAsync(HttpMethod.Post, "open/channels", _core.RequireCredentials(), body,
            ChatJsonContext.Default.CreateOpenChannelBody, ChatJsonContext.Default.OpenChannel, cancellationToken);
    }

    /// <summary>Gets a channel with its participant count (GET <c>/open/channels/{id}</c>).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The channel.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 1003.</exception>
    public Task<OpenChannel> GetChannelAsync(string channelId, CancellationToken cancellationToken = default) =>
        _core.Rest.GetAsync(Path(channelId), _core.RequireCredentials(), ChatJsonContext.Default.OpenChannel, cancellationToken);

    /// <summary>Gets one page of the app's open channels, newest first (GET <c>/open/channels</c>).</summary>
    /// <param name="query">Paging and a name filter; <see langword="null"/> for the first page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page and the cursor of the next one.</returns>
    /// <exception cref="GitpleLiveException">60904, or a server code.</exception>
    public Task<OpenChannelPage> GetChannelListAsync(OpenChannelQuery? query = null, CancellationToken cancellationToken = default) =>
        _core.Rest.GetAsync(RestClient.Query("open/channels",
                ("limit", query?.Limit?.ToString(CultureInfo.InvariantCulture)), ("name", query?.Name),
                ("next", string.IsNullOrEmpty(query?.Next) ? null : query.Next)),
            _core.RequireCredentials(), ChatJsonContext.Default.OpenChannelPage, cancellationToken);

    /// <summary>Changes a channel's name or image (PUT <c>/open/channels/{id}</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="name">The new name, or <see langword="null"/> to keep it.</param>
    /// <param name="profileUrl">The new image URL, <c>""</c> to remove it, or <see langword="null"/> to keep it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The channel as it now is.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 3001.</exception>
    public Task<OpenChannel> UpdateChannelAsync(string channelId, string? name = null, string? profileUrl = null,
        CancellationToken cancellationToken = default) =>
        _core.Rest.SendJsonAsync(HttpMethod.Put, Path(channelId), _core.RequireCredentials(), new UpdateChannelBody(name, profileUrl),
            ChatJsonContext.Default.UpdateChannelBody, ChatJsonContext.Default.OpenChannel, cancellationToken);

    /// <summary>Deletes a channel with its messages (DELETE <c>/open/channels/{id}</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when deleted.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 3001.</exception>
    public Task DeleteChannelAsync(string channelId, CancellationToken cancellationToken = default) =>
        _core.Rest.SendAsync(HttpMethod.Delete, Path(channelId), _core.RequireCredentials(), cancellationToken);

    /// <summary>Freezes or unfreezes a channel (PUT <c>/open/channels/{id}/freeze</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="freeze"><see langword="true"/> to freeze.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The channel as it now is.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 3001.</exception>
    public Task<OpenChannel> FreezeChannelAsync(string channelId, bool freeze, CancellationToken cancellationToken = default) =>
        _core.Rest.SendJsonAsync(HttpMethod.Put, Path(channelId, "freeze"), _core.RequireCredentials(), new FreezeBody(freeze),
            ChatJsonContext.Default.FreezeBody, ChatJsonContext.Default.OpenChannel, cancellationToken);

    // ------------------------------------------------------------------ enter, exit

    /// <summary>
    /// Enters a channel (PUT <c>/open/channels/{id}/enter</c>) and listens to its events; the client enters again after
    /// a reconnect until <see cref="ExitAsync"/>.
    /// </summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The channel with its participant count.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, 60903 when the subscription is refused, or a server code such as
    /// 1003, 1010 (full) or 1019 (banned).</exception>
    public async Task<OpenChannel> EnterAsync(string channelId, CancellationToken cancellationToken = default)
    {
        var channel = await _core.Rest.SendJsonAsync(HttpMethod.Put, Path(channelId, "enter"), _core.RequireCredentials(),
            new EmptyBody(), ChatJsonContext.Default.EmptyBody, ChatJsonContext.Default.OpenChannel, cancellationToken)
            .ConfigureAwait(false);
        _entered[channelId] = 0;
        await _core.SubscribeOpenAsync(channelId, cancellationToken).ConfigureAwait(false);
        return channel;
    }

    /// <summary>Leaves a channel (PUT <c>/open/channels/{id}/exit</c>); the server stops sending its events.</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when out.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 1008 (not in it).</exception>
    public async Task ExitAsync(string channelId, CancellationToken cancellationToken = default)
    {
        _entered.TryRemove(Argument.ChannelId(channelId), out _);
        await _core.Rest.SendAsync(HttpMethod.Put, Path(channelId, "exit"), _core.RequireCredentials(), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The channels this client entered and has not left (it enters them again after a reconnect).</summary>
    public IReadOnlyCollection<string> EnteredChannels => [.. _entered.Keys];

    /// <summary>Gets one page of who is in a channel, in user id order (GET <c>/open/channels/{id}/participants</c>;
    /// participants and managers).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="limit">Page size (server default 20, at most 100).</param>
    /// <param name="next">The cursor of the page to get (<see cref="ParticipantPage.Next"/>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 1008.</exception>
    public Task<ParticipantPage> GetParticipantListAsync(string channelId, int? limit = null, string? next = null,
        CancellationToken cancellationToken = default) =>
        _core.Rest.GetAsync(RestClient.Query(Path(channelId, "participants"),
                ("limit", limit?.ToString(CultureInfo.InvariantCulture)), ("next", string.IsNullOrEmpty(next) ? null : next)),
            _core.RequireCredentials(), ChatJsonContext.Default.ParticipantPage, cancellationToken);

    // ------------------------------------------------------------------ managers, bans

    /// <summary>Gets a channel's managers (GET <c>/open/channels/{id}/managers</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The managers.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 3001.</exception>
    public async Task<IReadOnlyList<User>> GetManagerListAsync(string channelId, CancellationToken cancellationToken = default) =>
        await _core.Rest.GetAsync(Path(channelId, "managers"), _core.RequireCredentials(), ChatJsonContext.Default.ListUser,
            cancellationToken).ConfigureAwait(false);

    /// <summary>Makes a user a manager (POST <c>/open/channels/{id}/managers</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="userId">The user to appoint.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when done.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 3001 or 1011.</exception>
    public Task RegisterManagerAsync(string channelId, string userId, CancellationToken cancellationToken = default) =>
        _core.Rest.SendJsonAsync(HttpMethod.Post, Path(channelId, "managers"), _core.RequireCredentials(),
            new ManagerBody(Argument.Required(userId, nameof(userId))), ChatJsonContext.Default.ManagerBody, cancellationToken);

    /// <summary>Removes a manager (DELETE <c>/open/channels/{id}/managers</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="userId">The manager to remove.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when done.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 3001 or 1016.</exception>
    public Task DeleteManagerAsync(string channelId, string userId, CancellationToken cancellationToken = default) =>
        _core.Rest.SendJsonAsync(HttpMethod.Delete, Path(channelId, "managers"), _core.RequireCredentials(),
            new ManagerBody(Argument.Required(userId, nameof(userId))), ChatJsonContext.Default.ManagerBody, cancellationToken);

    /// <summary>Bans a user (POST <c>/open/channels/{id}/ban</c>, managers only): they are out at once and cannot enter
    /// until the ban ends.</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="userId">The user to ban.</param>
    /// <param name="seconds">How long the ban lasts, in seconds.</param>
    /// <param name="reason">Why, if you want to say.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The ban.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1017 or 1018.</exception>
    public Task<Ban> BanAsync(string channelId, string userId, long seconds, string? reason = null,
        CancellationToken cancellationToken = default)
    {
        Argument.Required(userId, nameof(userId));
        if (seconds <= 0) throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, "seconds must be positive");
        return _core.Rest.SendJsonAsync(HttpMethod.Post, Path(channelId, "ban"), _core.RequireCredentials(),
            new BanBody(userId, seconds, reason), ChatJsonContext.Default.BanBody, ChatJsonContext.Default.Ban, cancellationToken);
    }

    /// <summary>Lifts a ban (DELETE <c>/open/channels/{id}/ban/{user_id}</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="userId">The banned user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when done.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1002.</exception>
    public Task UnbanAsync(string channelId, string userId, CancellationToken cancellationToken = default) =>
        _core.Rest.SendAsync(HttpMethod.Delete, Path(channelId, "ban/" + RestClient.Segment(Argument.Required(userId, nameof(userId)))),
            _core.RequireCredentials(), cancellationToken);

    /// <summary>Gets a channel's active bans (GET <c>/open/channels/{id}/banned_list</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The active bans.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 3001.</exception>
    public async Task<IReadOnlyList<Ban>> GetBannedListAsync(string channelId, CancellationToken cancellationToken = default) =>
        await _core.Rest.GetAsync(Path(channelId, "banned_list"), _core.RequireCredentials(), ChatJsonContext.Default.ListBan,
            cancellationToken).ConfigureAwait(false);

    // ------------------------------------------------------------------ messages

    /// <summary>Sends a text message (POST <c>/open/channels/{id}/messages</c>; participants, and only managers while frozen).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="content">The text.</param>
    /// <param name="meta">Custom key/value data, if any.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored message.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1008, 1009 or 1020.</exception>
    public Task<Message> SendMessageAsync(string channelId, string content, IReadOnlyDictionary<string, string>? meta = null,
        CancellationToken cancellationToken = default)
    {
        var path = Path(channelId, "messages");
        if (string.IsNullOrEmpty(content))
            throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, "content is required");
        return _core.Rest.SendJsonAsync(HttpMethod.Post, path, _core.RequireCredentials(), new TextMessageBody("text", content, meta),
            ChatJsonContext.Default.TextMessageBody, ChatJsonContext.Default.Message, cancellationToken);
    }

    /// <summary>Gets one page of a channel's history (GET <c>/open/channels/{id}/messages</c>, as PROTOCOL §5.3 pages it).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="query">Paging and filters; <see langword="null"/> for the newest messages.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page, oldest first.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 1008.</exception>
    public Task<MessagePage> GetMessageListAsync(string channelId, MessageQuery? query = null,
        CancellationToken cancellationToken = default)
    {
        var path = GroupChannelClient.MessageListPath(channelId, query);
        return _core.Rest.GetAsync("open/" + path["group/".Length..], _core.RequireCredentials(), ChatJsonContext.Default.MessagePage,
            cancellationToken);
    }

    /// <summary>Deletes a message (DELETE <c>/open/channels/{id}/messages/{message_id}</c>; its sender or a manager).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="messageId">The message's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when deleted.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1005 or 3001.</exception>
    public Task DeleteMessageAsync(string channelId, long messageId, CancellationToken cancellationToken = default) =>
        _core.Rest.SendAsync(HttpMethod.Delete, MessagePath(channelId, messageId), _core.RequireCredentials(), cancellationToken);

    /// <summary>Merges meta keys into a message (PUT <c>/open/channels/{id}/messages/{message_id}/meta</c>).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="messageId">The message's id.</param>
    /// <param name="meta">The keys to set.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message as it now is.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1005 or 1014.</exception>
    public Task<Message> UpdateMessageMetaAsync(string channelId, long messageId, IReadOnlyDictionary<string, string> meta,
        CancellationToken cancellationToken = default) =>
        _core.Rest.SendJsonAsync(HttpMethod.Put, MessagePath(channelId, messageId) + "/meta", _core.RequireCredentials(),
            new MetaBody(Argument.NotNull(meta, nameof(meta))), ChatJsonContext.Default.MetaBody, ChatJsonContext.Default.Message,
            cancellationToken);

    /// <summary>Removes meta keys from a message (DELETE <c>/open/channels/{id}/messages/{message_id}/meta</c>).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="messageId">The message's id.</param>
    /// <param name="keys">The keys to remove.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message as it now is.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1005.</exception>
    public Task<Message> DeleteMessageMetaAsync(string channelId, long messageId, IEnumerable<string> keys,
        CancellationToken cancellationToken = default) =>
        _core.Rest.SendJsonAsync(HttpMethod.Delete, MessagePath(channelId, messageId) + "/meta", _core.RequireCredentials(),
            new KeysBody(Argument.NonEmpty(keys, nameof(keys))), ChatJsonContext.Default.KeysBody, ChatJsonContext.Default.Message,
            cancellationToken);

    // ------------------------------------------------------------------ internals

    private static string Path(string channelId, string? rest = null) =>
        "open/channels/" + RestClient.Segment(Argument.ChannelId(channelId)) + (rest is null ? "" : "/" + rest);

    private static string MessagePath(string channelId, long messageId)
    {
        var path = Path(channelId, "messages/");
        Argument.MessageId(messageId);
        return path + messageId.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>After a reconnect: the server let the user go with the old connection, so enter and listen again.</summary>
    private async Task EnterAgainAsync()
    {
        foreach (var channelId in _entered.Keys)
        {
            try
            {
                await _core.Rest.SendAsync(HttpMethod.Put, Path(channelId, "enter"), _core.RequireCredentials(), CancellationToken.None)
                    .ConfigureAwait(false);
                await _core.SubscribeOpenAsync(channelId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (GitpleLiveException e)
            {
                _entered.TryRemove(channelId, out _);
                _core.ReportError(e);
            }
        }
    }

    /// <summary>The connected user lost the channel (banned, exited elsewhere, channel deleted): no entering again.</summary>
    internal void Forget(string channelId) => _entered.TryRemove(channelId, out _);

    internal void Post<T>(Action<T> raise, T args) => _core.Dispatcher.Post(() => raise(args));
    internal void RaiseMessageReceived(OpenChannelMessageEventArgs e) => MessageReceived?.Invoke(this, e);
    internal void RaiseMessageUpdated(OpenChannelMessageEventArgs e) => MessageUpdated?.Invoke(this, e);
    internal void RaiseMessageDeleted(OpenChannelMessageEventArgs e) => MessageDeleted?.Invoke(this, e);
    internal void RaiseChannelUpdated(OpenChannelEventArgs e) => ChannelUpdated?.Invoke(this, e);
    internal void RaiseChannelDeleted(OpenChannelEventArgs e) => ChannelDeleted?.Invoke(this, e);
    internal void RaiseChannelFrozen(OpenChannelEventArgs e) => ChannelFrozen?.Invoke(this, e);
    internal void RaiseChannelUnfrozen(OpenChannelEventArgs e) => ChannelUnfrozen?.Invoke(this, e);
    internal void RaiseUserBanned(OpenChannelBanEventArgs e) => UserBanned?.Invoke(this, e);
    internal void RaiseUserUnbanned(OpenChannelUserEventArgs e) => UserUnbanned?.Invoke(this, e);
    internal void RaiseManagerCreated(OpenChannelUserEventArgs e) => ManagerCreated?.Invoke(this, e);
    internal void RaiseManagerDeleted(OpenChannelUserEventArgs e) => ManagerDeleted?.Invoke(this, e);
    internal void RaiseExited(OpenChannelUserEventArgs e) => Exited?.Invoke(this, e);
}
