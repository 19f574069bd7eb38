using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat;

/// <summary>
/// Group channels, their members and messages, and their realtime events (the seed's <c>client.groupChannel</c>).
/// Every call needs a connected client (else 60904); a missing channel id fails with 60104.
/// </summary>
public sealed partial class GroupChannelClient
{
    private const int MaxPageSize = 100;
    private readonly ChatCore _core;

    internal GroupChannelClient(ChatCore core) => _core = core;

    // ------------------------------------------------------------------ events

    /// <summary>A message was sent to a channel (<c>group:message_send</c>). After a reconnect the messages missed meanwhile are raised
    /// here too, in order and once.</summary>
    public event EventHandler<ChannelMessageEventArgs>? MessageReceived;

    /// <summary>A message's meta changed (<c>group:message_update</c>).</summary>
    public event EventHandler<ChannelMessageEventArgs>? MessageUpdated;

    /// <summary>A message was deleted (<c>group:message_delete</c>).</summary>
    public event EventHandler<ChannelMessageEventArgs>? MessageDeleted;

    /// <summary>A channel's name, image or meta changed (<c>group:channel_update</c>).</summary>
    public event EventHandler<ChannelEventArgs>? ChannelUpdated;

    /// <summary>A channel was deleted (<c>group:channel_delete</c>); the client stops listening to it.</summary>
    public event EventHandler<ChannelEventArgs>? ChannelDeleted;

    /// <summary>
    /// A user joined a channel (<c>group:channel_join</c>). Also raised when the connected user was added to a
    /// channel (<c>user_joined_channel</c>), after the client subscribed to it.
    /// </summary>
    public event EventHandler<ChannelUserEventArgs>? ChannelJoined;

    /// <summary>A user left a channel (<c>group:channel_leave</c>); when it is the connected user, the client stops listening to
    /// it.</summary>
    public event EventHandler<ChannelUserEventArgs>? ChannelLeft;

    /// <summary>
    /// A user became a manager (<c>group:channel_manager_create</c>, or <c>user_become_manager</c> for the connected
    /// user, raised after the client subscribed to the channel's manager events).
    /// </summary>
    public event EventHandler<ChannelUserEventArgs>? ManagerCreated;

    /// <summary>A user stopped being a manager (<c>group:channel_manager_delete</c>).</summary>
    public event EventHandler<ChannelUserEventArgs>? ManagerDeleted;

    /// <summary>A channel was frozen (<c>group:channel_freeze</c>).</summary>
    public event EventHandler<ChannelEventArgs>? ChannelFrozen;

    /// <summary>A channel was unfrozen (<c>group:channel_unfreeze</c>).</summary>
    public event EventHandler<ChannelEventArgs>? ChannelUnfrozen;

    /// <summary>A user was banned from a channel (<c>group:channel_ban</c>); when it is the connected user, the client stops listening to
    /// it.</summary>
    public event EventHandler<ChannelBanEventArgs>? UserBanned;

    /// <summary>A user's ban was lifted (<c>group:channel_unban</c>).</summary>
    public event EventHandler<ChannelUserEventArgs>? UserUnbanned;

    /// <summary>A report about a channel the connected user manages was filed (<c>group:report_create</c>, managers only).</summary>
    public event EventHandler<ChannelReportEventArgs>? ReportCreated;

    /// <summary>A member read a channel's messages (<c>group:channel_message_read_event</c>); the channel carries read receipts and unread
    /// counts.</summary>
    public event EventHandler<ChannelEventArgs>? MessageRead;

    /// <summary>Messages were delivered to a member (<c>group:channel_message_delivered_event</c>); the channel carries delivery
    /// receipts.</summary>
    public event EventHandler<ChannelEventArgs>? MessageDelivered;

    // ------------------------------------------------------------------ channels

    /// <summary>Gets a channel (GET <c>/group/channels/{id}</c>).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The channel.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 1003.</exception>
    public Task<GroupChannel> GetChannelAsync(string channelId, CancellationToken cancellationToken = default) =>
        _core.Rest.GetAsync(ChannelPath(channelId), _core.RequireCredentials(), ChatJsonContext.Default.GroupChannel, cancellationToken);

    /// <summary>Gets one page of all group channels of the app (GET <c>/group/channels</c>).</summary>
    /// <param name="query">Filters and paging; <see langword="null"/> for the first page with the server's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page and the cursor of the next one.</returns>
    /// <exception cref="GitpleLiveException">60904, or a server code.</exception>
    public Task<GroupChannelPage> GetChannelListAsync(GroupChannelQuery? query = null, CancellationToken cancellationToken = default) =>
        _core.Rest.GetAsync(ChannelListPath("group/channels", query), _core.RequireCredentials(),
            ChatJsonContext.Default.GroupChannelPage, cancellationToken);

    /// <summary>Gets one page of the channels the connected user is a member of (GET <c>/group/channels/joined/list</c>).</summary>
    /// <param name="query">Filters and paging; <see langword="null"/> for the first page with the server's defaults.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page and the cursor of the next one.</returns>
    /// <exception cref="GitpleLiveException">60904, or a server code.</exception>
    public Task<GroupChannelPage> GetJoinedChannelListAsync(GroupChannelQuery? query = null,
        CancellationToken cancellationToken = default) =>
        _core.Rest.GetAsync(ChannelListPath("group/channels/joined/list", query), _core.RequireCredentials(),
            ChatJsonContext.Default.GroupChannelPage, cancellationToken);

    /// <summary>Walks every page of all group channels, following the <c>next</c> cursor.</summary>
    /// <param name="query">Filters and page size; its <see cref="GroupChannelQuery.Next"/> is where the walk starts.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The channels, page after page.</returns>
    public IAsyncEnumerable<GroupChannel> GetAllChannelsAsync(GroupChannelQuery? query = null,
        CancellationToken cancellationToken = default) =>
        WalkChannelsAsync("group/channels", query, cancellationToken);

    /// <summary>Walks every page of the channels the connected user is a member of, following the <c>next</c> cursor.</summary>
    /// <param name="query">Filters and page size; its <see cref="GroupChannelQuery.Next"/> is where the walk starts.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The channels, page after page.</returns>
    public IAsyncEnumerable<GroupChannel> GetAllJoinedChannelsAsync(GroupChannelQuery? query = null,
        CancellationToken cancellationToken = default) =>
        WalkChannelsAsync("group/channels/joined/list", query, cancellationToken);

    private async IAsyncEnumerable<GroupChannel> WalkChannelsAsync(string path, GroupChannelQuery? query,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        query ??= new GroupChannelQuery();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var page = await _core.Rest.GetAsync(ChannelListPath(path, query), _core.RequireCredentials(),
                ChatJsonContext.Default.GroupChannelPage, cancellationToken).ConfigureAwait(false);
            foreach (var channel in page.Channels) yield return channel;
            // A cursor seen before would loop forever; stop instead.
            if (string.IsNullOrEmpty(page.Next) || page.Channels.Count == 0 || !seen.Add(page.Next)) yield break;
            query = query with { Next = page.Next };
        }
    }

    /// <summary>Creates a group channel (POST <c>/group/channels</c>); the caller joins and becomes its manager.</summary>
    /// <param name="channel">The new channel.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The channel.</returns>
    /// <exception cref="GitpleLiveException">60101/60104 for missing values, 60904, or a server code such as 1007.</exception>
    public Task<GroupChannel> CreateChannelAsync(CreateGroupChannelOptions channel, CancellationToken cancellationToken = default)
    {
        Argument.NotNull(channel, nameof(channel));
        Argument.ChannelId(channel.ChannelId);
        Argument.Required(channel.Name, nameof(channel.Name));
        var body = new CreateChannelBody(channel.ChannelId, channel.Name, channel.ProfileUrl, channel.Members, channel.Reuse, channel.Meta);
        return _core.Rest.SendJsonAsync(HttpMethod.Post, "group/channels", _core.RequireCredentials(), body,
            ChatJsonContext.Default.CreateChannelBody, ChatJsonContext.Default.GroupChannel, cancellationToken);
    }

    /// <summary>Changes a channel's name and/or image (PUT <c>/group/channels/{id}</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="name">The new name, or <see langword="null"/> to keep it.</param>
    /// <param name="profileUrl">The new image URL, or <see langword="null"/> to keep it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated channel.</returns>
    /// <exception cref="GitpleLiveException">60101 when both are null, 60104, 60904, or a server code such as 3001.</exception>
    public Task<GroupChannel> UpdateChannelAsync(string channelId, string? name = null, string? profileUrl = null,
        CancellationToken cancellationToken = default)
    {
        var path = ChannelPath(channelId);
        if (name is null && profileUrl is null)
            throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, "give a name or a profile URL");
        return _core.Rest.SendJsonAsync(HttpMethod.Put, path, _core.RequireCredentials(), new UpdateChannelBody(name, profileUrl),
            ChatJsonContext.Default.UpdateChannelBody, ChatJsonContext.Default.GroupChannel, cancellationToken);
    }

    /// <summary>Deletes a channel with its messages and files (DELETE <c>/group/channels/{id}</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the channel is deleted.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 3001.</exception>
    public Task DeleteChannelAsync(string channelId, CancellationToken cancellationToken = default) =>
        _core.Rest.SendAsync(HttpMethod.Delete, ChannelPath(channelId), _core.RequireCredentials(), cancellationToken);

    /// <summary>Joins a channel (PUT <c>/group/channels/{id}/join</c>); the client subscribes when the server confirms with
    /// <c>user_joined_channel</c>.</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when joined.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 1006, 1010 or 1019.</exception>
    public Task JoinChannelAsync(string channelId, CancellationToken cancellationToken = default) =>
        _core.Rest.SendAsync(HttpMethod.Put, ChannelPath(channelId, "join"), _core.RequireCredentials(), cancellationToken);

    /// <summary>Leaves a channel (PUT <c>/group/channels/{id}/leave</c>).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when left.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 1008.</exception>
    public Task LeaveChannelAsync(string channelId, CancellationToken cancellationToken = default) =>
        _core.Rest.SendAsync(HttpMethod.Put, ChannelPath(channelId, "leave"), _core.RequireCredentials(), cancellationToken);

    /// <summary>Gets a channel's members with their join times (GET <c>/group/channels/{id}/members</c>).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The members.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 1008.</exception>
    public async Task<IReadOnlyList<User>> GetMemberListAsync(string channelId, CancellationToken cancellationToken = default) =>
        await _core.Rest.GetAsync(ChannelPath(channelId, "members"), _core.RequireCredentials(), ChatJsonContext.Default.ListUser,
            cancellationToken).ConfigureAwait(false);

    /// <summary>Gets a channel's managers (GET <c>/group/channels/{id}/managers</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The managers.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 3001.</exception>
    public async Task<IReadOnlyList<User>> GetManagerListAsync(string channelId, CancellationToken cancellationToken = default) =>
        await _core.Rest.GetAsync(ChannelPath(channelId, "managers"), _core.RequireCredentials(), ChatJsonContext.Default.ListUser,
            cancellationToken).ConfigureAwait(false);

    /// <summary>Makes a member a manager (POST <c>/group/channels/{id}/managers</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="userId">The member to promote.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when done.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 3001 or 1011.</exception>
    public Task RegisterManagerAsync(string channelId, string userId, CancellationToken cancellationToken = default)
    {
        var path = ChannelPath(channelId, "managers");
        return _core.Rest.SendJsonAsync(HttpMethod.Post, path, _core.RequireCredentials(), new ManagerBody(Argument.Required(userId,
            nameof(userId))),
            ChatJsonContext.Default.ManagerBody, cancellationToken);
    }

    /// <summary>Removes a manager (DELETE <c>/group/channels/{id}/managers</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="userId">The manager to demote.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when done.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 3001 or 1016.</exception>
    public Task DeleteManagerAsync(string channelId, string userId, CancellationToken cancellationToken = default)
    {
        var path = ChannelPath(channelId, "managers");
        return _core.Rest.SendJsonAsync(HttpMethod.Delete, path, _core.RequireCredentials(), new ManagerBody(Argument.Required(userId,
            nameof(userId))),
            ChatJsonContext.Default.ManagerBody, cancellationToken);
    }

    /// <summary>Freezes or unfreezes a channel (PUT <c>/group/channels/{id}/freeze</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="freeze"><see langword="true"/> to freeze, <see langword="false"/> to unfreeze.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated channel.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 3001.</exception>
    public Task<GroupChannel> FreezeChannelAsync(string channelId, bool freeze, CancellationToken cancellationToken = default) =>
        _core.Rest.SendJsonAsync(HttpMethod.Put, ChannelPath(channelId, "freeze"), _core.RequireCredentials(), new FreezeBody(freeze),
            ChatJsonContext.Default.FreezeBody, ChatJsonContext.Default.GroupChannel, cancellationToken);

    /// <summary>Adds or replaces meta keys of a channel (PUT <c>/group/channels/{id}/meta</c>).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="meta">The keys and values to merge in.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated channel.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1014.</exception>
    public Task<GroupChannel> UpdateMetaAsync(string channelId, IReadOnlyDictionary<string, string> meta,
        CancellationToken cancellationToken = default)
    {
        var path = ChannelPath(channelId, "meta");
        return _core.Rest.SendJsonAsync(HttpMethod.Put, path, _core.RequireCredentials(), new MetaBody(Argument.NotNull(meta,
            nameof(meta))),
            ChatJsonContext.Default.MetaBody, ChatJsonContext.Default.GroupChannel, cancellationToken);
    }

    /// <summary>Removes meta keys of a channel (DELETE <c>/group/channels/{id}/meta</c>).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="keys">The keys to remove.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated channel.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code.</exception>
    public Task<GroupChannel> DeleteMetaAsync(string channelId, IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        var path = ChannelPath(channelId, "meta");
        return _core.Rest.SendJsonAsync(HttpMethod.Delete, path, _core.RequireCredentials(), new KeysBody(Argument.NonEmpty(keys,
            nameof(keys))),
            ChatJsonContext.Default.KeysBody, ChatJsonContext.Default.GroupChannel, cancellationToken);
    }

    /// <summary>Marks a channel's messages read (PUT <c>/group/channels/{id}/messages/read</c>); members hear <see
    /// cref="MessageRead"/>.</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when done.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 1008.</exception>
    public Task ReadMessageAsync(string channelId, CancellationToken cancellationToken = default) =>
        _core.Rest.SendAsync(HttpMethod.Put, ChannelPath(channelId, "messages/read"), _core.RequireCredentials(), cancellationToken);

    /// <summary>
    /// Marks the messages of several channels read (PUT <c>/users/messages/read</c>); a single id goes to the
    /// channel's own endpoint. Each channel's members hear <see cref="MessageRead"/>.
    /// </summary>
    /// <param name="channelIds">The channels' ids.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when done.</returns>
    /// <exception cref="GitpleLiveException">60104 when no id is given, 60904, or a server code.</exception>
    public Task ReadMessageAsync(IEnumerable<string> channelIds, CancellationToken cancellationToken = default)
    {
        var ids = channelIds?.ToList() ?? [];
        if (ids.Count == 0 || ids.Any(string.IsNullOrWhiteSpace))
            throw new GitpleLiveException(GitpleLiveErrorCode.InvalidChannelId, "give at least one channel id");
        if (ids.Count == 1) return ReadMessageAsync(ids[0], cancellationToken);
        return _core.Rest.SendJsonAsync(HttpMethod.Put, "users/messages/read", _core.RequireCredentials(), new ChannelsBody(ids),
            ChatJsonContext.Default.ChannelsBody, cancellationToken);
    }

    /// <summary>Marks a channel's messages delivered (PUT <c>/group/channels/{id}/messages/delivered</c>); members hear <see
    /// cref="MessageDelivered"/>.</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when done.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 1008.</exception>
    public Task DeliveredMessageAsync(string channelId, CancellationToken cancellationToken = default) =>
        _core.Rest.SendAsync(HttpMethod.Put, ChannelPath(channelId, "messages/delivered"), _core.RequireCredentials(), cancellationToken);

    // ------------------------------------------------------------------ bans

    /// <summary>Bans a member (POST <c>/group/channels/{id}/ban</c>, managers only): the user leaves and cannot join until the ban
    /// ends.</summary>
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
        var path = ChannelPath(channelId, "ban");
        Argument.Required(userId, nameof(userId));
        if (seconds <= 0) throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, "seconds must be positive");
        return _core.Rest.SendJsonAsync(HttpMethod.Post, path, _core.RequireCredentials(), new BanBody(userId, seconds, reason),
            ChatJsonContext.Default.BanBody, ChatJsonContext.Default.Ban, cancellationToken);
    }

    /// <summary>Lifts a ban (DELETE <c>/group/channels/{id}/ban/{user_id}</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="userId">The banned user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when done.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code.</exception>
    public Task UnbanAsync(string channelId, string userId, CancellationToken cancellationToken = default) =>
        _core.Rest.SendAsync(HttpMethod.Delete, ChannelPath(channelId, "ban/" + RestClient.Segment(Argument.Required(userId,
            nameof(userId)))),
            _core.RequireCredentials(), cancellationToken);

    /// <summary>Gets a channel's active bans (GET <c>/group/channels/{id}/banned_list</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The active bans.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 3001.</exception>
    public async Task<IReadOnlyList<Ban>> GetBannedListAsync(string channelId, CancellationToken cancellationToken = default) =>
        await _core.Rest.GetAsync(ChannelPath(channelId, "banned_list"), _core.RequireCredentials(), ChatJsonContext.Default.ListBan,
            cancellationToken).ConfigureAwait(false);

    /// <summary>Gets the ids of a channel's members that are online now (GET <c>/group/channels/{id}/online_members</c>).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The user ids.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 1008.</exception>
    public async Task<IReadOnlyList<string>> GetOnlineMemberListAsync(string channelId, CancellationToken cancellationToken = default) =>
        await _core.Rest.GetAsync(ChannelPath(channelId, "online_members"), _core.RequireCredentials(),
            ChatJsonContext.Default.ListString, cancellationToken).ConfigureAwait(false);

    // ------------------------------------------------------------------ messages

    /// <summary>Sends a text message (POST <c>/group/channels/{id}/messages</c>); members hear <see cref="MessageReceived"/>.</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="content">The text.</param>
    /// <param name="meta">Custom key/value data, if any.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored message.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1008 or 1009.</exception>
    public Task<Message> SendMessageAsync(string channelId, string content, IReadOnlyDictionary<string, string>? meta = null,
        CancellationToken cancellationToken = default)
    {
        var path = ChannelPath(channelId, "messages");
        if (string.IsNullOrEmpty(content)) throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters,
            "content is required");
        return _core.Rest.SendJsonAsync(HttpMethod.Post, path, _core.RequireCredentials(), new TextMessageBody("text", content, meta),
            ChatJsonContext.Default.TextMessageBody, ChatJsonContext.Default.Message, cancellationToken);
    }

    /// <summary>Sends a file message (multipart POST <c>/group/channels/{id}/messages</c>, PROTOCOL §5.4).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="file">The file: <see cref="FileUpload.FromStream"/> or <see cref="FileUpload.FromFile"/>.</param>
    /// <param name="meta">Custom key/value data, if any.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The stored message, with <see cref="Message.File"/>.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1012; 60901 after <see
    /// cref="ChatClientOptions.FileUploadTimeout"/>.</exception>
    public async Task<Message> SendMessageAsync(string channelId, FileUpload file, IReadOnlyDictionary<string, string>? meta = null,
        CancellationToken cancellationToken = default)
    {
        var path = ChannelPath(channelId, "messages");
        Argument.NotNull(file, nameof(file));
        var credentials = _core.RequireCredentials();
        var stream = file.Open();
        try
        {
            using var form = new MultipartFormDataContent();
            form.Add(new StringContent("file"), "type");
            var part = new StreamContent(stream);
            part.Headers.ContentType = MediaTypeHeaderValue.Parse(file.ContentType);
            form.Add(part, "file", file.FileName);
            if (meta is not null)
                form.Add(new StringContent(JsonSerializer.Serialize(new Dictionary<string, string>(meta),
                    ChatJsonContext.Default.DictionaryStringString)), "meta");
            return await _core.Rest.SendContentAsync(HttpMethod.Post, path, credentials, form, ChatJsonContext.Default.Message,
                _core.Options.FileUploadTimeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!file.LeaveOpen) await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends a file message from a stream; shorthand for <see cref="SendMessageAsync(string, FileUpload,
    /// IReadOnlyDictionary{string, string}?, CancellationToken)"/>.</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="content">The file content, read from its current position and left open.</param>
    /// <param name="fileName">The file name.</param>
    /// <param name="contentType">The MIME type, for example <c>image/png</c>.</param>
    /// <param name="meta">Custom key/value data, if any.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The stored message, with <see cref="Message.File"/>.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1012.</exception>
    public Task<Message> SendMessageAsync(string channelId, Stream content, string fileName, string contentType,
        IReadOnlyDictionary<string, string>? meta = null, CancellationToken cancellationToken = default) =>
        SendMessageAsync(channelId, FileUpload.FromStream(content, fileName, contentType), meta, cancellationToken);

    /// <summary>Gets one page of a channel's messages, oldest first (GET <c>/group/channels/{id}/messages</c>).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="query">Base, direction, filters and page size; <see langword="null"/> for the newest 20.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 1008.</exception>
    public Task<MessagePage> GetMessageListAsync(string channelId, MessageQuery? query = null,
        CancellationToken cancellationToken = default) =>
        _core.Rest.GetAsync(MessageListPath(channelId, query), _core.RequireCredentials(), ChatJsonContext.Default.MessagePage,
            cancellationToken);

    /// <summary>
    /// Walks a channel's messages page by page. With <see cref="MessageListMode.Next"/> (the default here) it
    /// goes forward from <see cref="MessageQuery.BaseMessageId"/> (the channel's start when absent), oldest
    /// first; with <see cref="MessageListMode.Prev"/> it goes back from the base (the newest when absent), newest first.
    /// </summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="query">Start, direction, filters and page size (at most 100).</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The messages.</returns>
    public async IAsyncEnumerable<Message> GetAllMessagesAsync(string channelId, MessageQuery? query = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Argument.ChannelId(channelId);
        query ??= new MessageQuery();
        var forward = query.Mode != MessageListMode.Prev;
        var limit = Math.Clamp(query.Limit ?? MaxPageSize, 1, MaxPageSize);
        query = query with { Mode = forward ? MessageListMode.Next : MessageListMode.Prev, Limit = limit,
            BaseMessageId = query.BaseMessageId ?? (forward ? 0 : null) };
        while (true)
        {
            var page = await GetMessageListAsync(channelId, query, cancellationToken).ConfigureAwait(false);
            var messages = forward
                ? page.Messages.Where(m => query.BaseMessageId is not long b || m.MessageId > b).OrderBy(m => m.MessageId).ToList()
                : page.Messages.Where(m => query.BaseMessageId is not long b || m.MessageId < b).OrderByDescending(m
                    => m.MessageId).ToList();
            foreach (var message in messages) yield return message;
            if (messages.Count == 0 || page.Messages.Count < limit) yield break;
            query = query with { BaseMessageId = messages[^1].MessageId };
        }
    }

    /// <summary>Deletes a message (DELETE <c>/group/channels/{id}/messages/{message_id}</c>; its sender or a manager).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="messageId">The message's id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when deleted.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1005 or 3001.</exception>
    public Task DeleteMessageAsync(string channelId, long messageId, CancellationToken cancellationToken = default) =>
        _core.Rest.SendAsync(HttpMethod.Delete, MessagePath(channelId, messageId), _core.RequireCredentials(), cancellationToken);

    /// <summary>Adds or replaces meta keys of a message (PUT <c>/group/channels/{id}/messages/{message_id}/meta</c>).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="messageId">The message's id.</param>
    /// <param name="meta">The keys and values to merge in.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated message.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1005.</exception>
    public Task<Message> UpdateMessageMetaAsync(string channelId, long messageId, IReadOnlyDictionary<string, string> meta,
        CancellationToken cancellationToken = default)
    {
        var path = MessagePath(channelId, messageId) + "/meta";
        return _core.Rest.SendJsonAsync(HttpMethod.Put, path, _core.RequireCredentials(), new MetaBody(Argument.NotNull(meta,
            nameof(meta))),
            ChatJsonContext.Default.MetaBody, ChatJsonContext.Default.Message, cancellationToken);
    }

    /// <summary>Removes meta keys of a message (DELETE <c>/group/channels/{id}/messages/{message_id}/meta</c>).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="messageId">The message's id.</param>
    /// <param name="keys">The keys to remove.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated message.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1005.</exception>
    public Task<Message> DeleteMessageMetaAsync(string channelId, long messageId, IEnumerable<string> keys,
        CancellationToken cancellationToken = default)
    {
        var path = MessagePath(channelId, messageId) + "/meta";
        return _core.Rest.SendJsonAsync(HttpMethod.Delete, path, _core.RequireCredentials(), new KeysBody(Argument.NonEmpty(keys,
            nameof(keys))),
            ChatJsonContext.Default.KeysBody, ChatJsonContext.Default.Message, cancellationToken);
    }

    // ------------------------------------------------------------------ reports

    /// <summary>Gets one page of the reports about a channel (GET <c>/reports/group/channels/{id}</c>, managers only).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="query">Filters and paging, if any.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page and the cursor of the next one.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 3001.</exception>
    public Task<ReportPage> GetReportListAsync(string channelId, ReportQuery? query = null, CancellationToken cancellationToken = default)
    {
        var path = RestClient.Query("reports/group/channels/" + RestClient.Segment(Argument.ChannelId(channelId)),
            ("limit", query?.Limit?.ToString(CultureInfo.InvariantCulture)), ("report_type", query?.ReportType), ("next",
                NullIfEmpty(query?.Next)));
        return _core.Rest.GetAsync(path, _core.RequireCredentials(), ChatJsonContext.Default.ReportPage, cancellationToken);
    }

    /// <summary>Walks every page of the reports about a channel, following the <c>next</c> cursor.</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="query">Filters and page size; its <see cref="ReportQuery.Next"/> is where the walk starts.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The reports.</returns>
    public async IAsyncEnumerable<Report> GetAllReportsAsync(string channelId, ReportQuery? query = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        query ??= new ReportQuery();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var page = await GetReportListAsync(channelId, query, cancellationToken).ConfigureAwait(false);
            foreach (var report in page.Reports) yield return report;
            if (string.IsNullOrEmpty(page.Next) || page.Reports.Count == 0 || !seen.Add(page.Next)) yield break;
            query = query with { Next = page.Next };
        }
    }

    // ------------------------------------------------------------------ paths

    internal static string ChannelPath(string channelId, string? rest = null) =>
        "group/channels/" + RestClient.Segment(Argument.ChannelId(channelId)) + (rest is null ? "" : "/" + rest);

    private static string MessagePath(string channelId, long messageId)
    {
        var path = ChannelPath(channelId, "messages/");
        Argument.MessageId(messageId);
        return path + messageId.ToString(CultureInfo.InvariantCulture);
    }

    internal static string ChannelListPath(string path, GroupChannelQuery? q)
    {
        if (q is null) return path;
        return RestClient.Query(path,
            ("limit", q.Limit?.ToString(CultureInfo.InvariantCulture)),
            ("show_members", Flag(q.ShowMembers)),
            ("show_managers", Flag(q.ShowManagers)),
            ("show_read_receipt", Flag(q.ShowReadReceipt)),
            ("show_delivery_receipt", Flag(q.ShowDeliveryReceipt)),
            ("show_unread", Flag(q.ShowUnread)),
            ("show_last_message", Flag(q.ShowLastMessage)),
            ("name", q.Name),
            ("include_members", q.IncludeMembers is { Count: > 0 } m ? string.Join(',', m) : null),
            ("next", NullIfEmpty(q.Next)));
    }

    internal static string MessageListPath(string channelId, MessageQuery? q)
    {
        var path = ChannelPath(channelId, "messages");
        if (q is null) return path;
        return RestClient.Query(path,
            ("limit", q.Limit?.ToString(CultureInfo.InvariantCulture)),
            ("mode", q.Mode switch { MessageListMode.Next => "next", MessageListMode.Prev => "prev", _ => null }),
            ("base_message_id", q.BaseMessageId?.ToString(CultureInfo.InvariantCulture)),
            ("type", q.Type),
            ("content", q.Content));
    }

    private static string? Flag(bool value) => value ? "true" : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    // ------------------------------------------------------------------ raising

    internal void Post<T>(Action<T> raise, T args) => _core.Dispatcher.Post(() => raise(args));
    internal void PostMessageReceived(GroupChannel channel, Message message) => Post(RaiseMessageReceived,
        new ChannelMessageEventArgs(channel, message));

    internal void RaiseMessageReceived(ChannelMessageEventArgs e) => MessageReceived?.Invoke(this, e);
    internal void RaiseMessageUpdated(ChannelMessageEventArgs e) => MessageUpdated?.Invoke(this, e);
    internal void RaiseMessageDeleted(ChannelMessageEventArgs e) => MessageDeleted?.Invoke(this, e);
    internal void RaiseChannelUpdated(ChannelEventArgs e) => ChannelUpdated?.Invoke(this, e);
    internal void RaiseChannelDeleted(ChannelEventArgs e) => ChannelDeleted?.Invoke(this, e);
    internal void RaiseChannelJoined(ChannelUserEventArgs e) => ChannelJoined?.Invoke(this, e);
    internal void RaiseChannelLeft(ChannelUserEventArgs e) => ChannelLeft?.Invoke(this, e);
    internal void RaiseManagerCreated(ChannelUserEventArgs e) => ManagerCreated?.Invoke(this, e);
    internal void RaiseManagerDeleted(ChannelUserEventArgs e) => ManagerDeleted?.Invoke(this, e);
    internal void RaiseChannelFrozen(ChannelEventArgs e) => ChannelFrozen?.Invoke(this, e);
    internal void RaiseChannelUnfrozen(ChannelEventArgs e) => ChannelUnfrozen?.Invoke(this, e);
    internal void RaiseUserBanned(ChannelBanEventArgs e) => UserBanned?.Invoke(this, e);
    internal void RaiseUserUnbanned(ChannelUserEventArgs e) => UserUnbanned?.Invoke(this, e);
    internal void RaiseReportCreated(ChannelReportEventArgs e) => ReportCreated?.Invoke(this, e);
    internal void RaiseMessageRead(ChannelEventArgs e) => MessageRead?.Invoke(this, e);
    internal void RaiseMessageDelivered(ChannelEventArgs e) => MessageDelivered?.Invoke(this, e);
}
