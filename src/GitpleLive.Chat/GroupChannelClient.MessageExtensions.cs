using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat;

// Message extensions (PROTOCOL §10): edit, reactions, replies (threads), mentions and typing. The official SDKs do not have
// them; a server without them answers these calls with its "not found" error.
public sealed partial class GroupChannelClient
{
    /// <summary>A member started typing in a channel (<c>group:typing_start</c>); <see cref="ChannelUserEventArgs.User"/> is the
    /// typist, possibly this user.</summary>
    public event EventHandler<ChannelUserEventArgs>? TypingStarted;

    /// <summary>A member stopped typing, or their typing expired 5 s after the last <see cref="SetTypingAsync"/>
    /// (<c>group:typing_stop</c>).</summary>
    public event EventHandler<ChannelUserEventArgs>? TypingStopped;

    /// <summary>
    /// Sends a text message with options: a reply (<see cref="SendMessageOptions.ParentMessageId"/>), mentions, meta. Members
    /// hear <see cref="MessageReceived"/>; for a reply also <see cref="MessageUpdated"/> with the parent's new
    /// <see cref="Message.ReplyCount"/>.
    /// </summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="content">The text.</param>
    /// <param name="options">The parent, the mentions and meta.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored message.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1005 (no such parent), 1008 or 1009.</exception>
    public Task<Message> SendTextMessageAsync(string channelId, string content, SendMessageOptions options,
        CancellationToken cancellationToken = default)
    {
        var path = ChannelPath(channelId, "messages");
        Argument.NotNull(options, nameof(options));
        if (string.IsNullOrEmpty(content)) throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters,
            "content is required");
        var body = new SendExtrasBody("text", content, options.Meta, options.ParentMessageId,
            options.MentionedUserIds is { Count: > 0 } m ? m : null);
        return _core.Rest.SendJsonAsync(HttpMethod.Post, path, _core.RequireCredentials(), body,
            ExtensionJsonContext.Default.SendExtrasBody, ChatJsonContext.Default.Message, cancellationToken);
    }

    /// <summary>Sends a file message with options (a reply, mentions, meta); see <see cref="SendTextMessageAsync"/>.</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="file">The file: <see cref="FileUpload.FromStream"/> or <see cref="FileUpload.FromFile"/>.</param>
    /// <param name="options">The parent, the mentions and meta.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>The stored message, with <see cref="Message.File"/>.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1005 or 1012.</exception>
    public async Task<Message> SendFileMessageAsync(string channelId, FileUpload file, SendMessageOptions options,
        CancellationToken cancellationToken = default)
    {
        var path = ChannelPath(channelId, "messages");
        Argument.NotNull(file, nameof(file));
        Argument.NotNull(options, nameof(options));
        var credentials = _core.RequireCredentials();
        var stream = file.Open();
        try
        {
            using var form = new MultipartFormDataContent();
            form.Add(new StringContent("file"), "type");
            var part = new StreamContent(stream);
            part.Headers.ContentType = MediaTypeHeaderValue.Parse(file.ContentType);
            form.Add(part, "file", file.FileName);
            if (options.Meta is not null)
                form.Add(new StringContent(JsonSerializer.Serialize(new Dictionary<string, string>(options.Meta),
                    ChatJsonContext.Default.DictionaryStringString)), "meta");
            if (options.ParentMessageId is { } parent)
                form.Add(new StringContent(parent.ToString(CultureInfo.InvariantCulture)), "parent_message_id");
            if (options.MentionedUserIds is { Count: > 0 } mentions)
                form.Add(new StringContent(JsonSerializer.Serialize(mentions.ToList(), ChatJsonContext.Default.ListString)),
                    "mentioned_user_ids");
            return await _core.Rest.SendContentAsync(HttpMethod.Post, path, credentials, form, ChatJsonContext.Default.Message,
                _core.Options.FileUploadTimeout, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!file.LeaveOpen) await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Edits the text of one's own message (PUT <c>/group/channels/{id}/messages/{message_id}</c>); members hear
    /// <see cref="MessageUpdated"/> with <see cref="Message.EditedAt"/> set. Only the sender may edit (managers too get 3001);
    /// file messages cannot be edited (1001); the server's profanity filter applies as on send.
    /// </summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="messageId">The message's id.</param>
    /// <param name="content">The new text.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The edited message.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1005, 1009, 1020 or 3001.</exception>
    public Task<Message> UpdateMessageAsync(string channelId, long messageId, string content, CancellationToken cancellationToken = default)
    {
        var path = MessagePath(channelId, messageId);
        if (string.IsNullOrEmpty(content)) throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters,
            "content is required");
        return _core.Rest.SendJsonAsync(HttpMethod.Put, path, _core.RequireCredentials(), new ContentBody(content),
            ExtensionJsonContext.Default.ContentBody, ChatJsonContext.Default.Message, cancellationToken);
    }

    /// <summary>
    /// Adds this user's reaction to a message (POST <c>.../messages/{message_id}/reactions</c>); adding it again changes
    /// nothing. Members hear <see cref="MessageUpdated"/> with the new <see cref="Message.Reactions"/>.
    /// </summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="messageId">The message's id.</param>
    /// <param name="key">An emoji or a short name, at most 32 UTF-16 code units, no control characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message with its reactions.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1001 (20 keys already), 1005 or
    /// 1008.</exception>
    public Task<Message> AddReactionAsync(string channelId, long messageId, string key, CancellationToken cancellationToken = default) =>
        ReactAsync(HttpMethod.Post, channelId, messageId, key, cancellationToken);

    /// <summary>Removes this user's reaction from a message (DELETE <c>.../messages/{message_id}/reactions</c>); removing one
    /// that is not there changes nothing.</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="messageId">The message's id.</param>
    /// <param name="key">The reaction's key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message with its remaining reactions.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1005 or 1008.</exception>
    public Task<Message> RemoveReactionAsync(string channelId, long messageId, string key, CancellationToken cancellationToken = default) =>
        ReactAsync(HttpMethod.Delete, channelId, messageId, key, cancellationToken);

    private Task<Message> ReactAsync(HttpMethod method, string channelId, long messageId, string key, CancellationToken cancellationToken)
    {
        var path = MessagePath(channelId, messageId) + "/reactions";
        if (string.IsNullOrEmpty(key) || key.Length > 32 || key.Any(char.IsControl))
            throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters,
                "key must be 1 to 32 characters without control characters");
        return _core.Rest.SendJsonAsync(method, path, _core.RequireCredentials(), new ReactionBody(key),
            ExtensionJsonContext.Default.ReactionBody, ChatJsonContext.Default.Message, cancellationToken);
    }

    /// <summary>Gets one page of a thread's replies, oldest first (GET <c>.../messages/{message_id}/replies</c>), paged as
    /// <see cref="GetMessageListAsync"/> is (<see cref="MessageQuery.Content"/> is not supported here).</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="parentMessageId">The thread's top-level message.</param>
    /// <param name="query">Base, direction, type and page size; <see langword="null"/> for the newest 20.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    /// <exception cref="GitpleLiveException">60101, 60104, 60904, or a server code such as 1005 or 1008.</exception>
    public Task<MessagePage> GetRepliesAsync(string channelId, long parentMessageId, MessageQuery? query = null,
        CancellationToken cancellationToken = default)
    {
        var path = MessagePath(channelId, parentMessageId) + "/replies";
        if (query is not null)
            path = RestClient.Query(path,
                ("limit", query.Limit?.ToString(CultureInfo.InvariantCulture)),
                ("mode", query.Mode switch { MessageListMode.Next => "next", MessageListMode.Prev => "prev", _ => null }),
                ("base_message_id", query.BaseMessageId?.ToString(CultureInfo.InvariantCulture)),
                ("type", query.Type));
        return _core.Rest.GetAsync(path, _core.RequireCredentials(), ChatJsonContext.Default.MessagePage, cancellationToken);
    }

    /// <summary>Walks a thread's replies from the first, oldest first, page by page.</summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="parentMessageId">The thread's top-level message.</param>
    /// <param name="pageSize">Replies per request (1 to 100).</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The replies.</returns>
    public async IAsyncEnumerable<Message> GetAllRepliesAsync(string channelId, long parentMessageId, int pageSize = MaxPageSize,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = new MessageQuery { Mode = MessageListMode.Next, Limit = Math.Clamp(pageSize, 1, MaxPageSize), BaseMessageId = 0 };
        while (true)
        {
            var page = await GetRepliesAsync(channelId, parentMessageId, query, cancellationToken).ConfigureAwait(false);
            foreach (var reply in page.Messages) yield return reply;
            if (page.Messages.Count < query.Limit) yield break;
            query = query with { BaseMessageId = page.Messages[^1].MessageId };
        }
    }

    /// <summary>
    /// Tells the channel this user is typing, or has stopped (PUT <c>/group/channels/{id}/typing</c>); members hear
    /// <see cref="TypingStarted"/> / <see cref="TypingStopped"/>. Nothing is stored; the server sends at most one event per
    /// user and channel per second and ends typing by itself 5 s after the last <see langword="true"/>, so call it again
    /// every few seconds while the user types.
    /// </summary>
    /// <param name="channelId">The channel's id.</param>
    /// <param name="typing">Whether the user is typing.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server has taken it.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 1008 or 1009.</exception>
    public Task SetTypingAsync(string channelId, bool typing, CancellationToken cancellationToken = default) =>
        _core.Rest.SendJsonAsync(HttpMethod.Put, ChannelPath(channelId, "typing"), _core.RequireCredentials(), new TypingBody(typing),
            ExtensionJsonContext.Default.TypingBody, cancellationToken);

    internal void RaiseTypingStarted(ChannelUserEventArgs e) => TypingStarted?.Invoke(this, e);
    internal void RaiseTypingStopped(ChannelUserEventArgs e) => TypingStopped?.Invoke(this, e);
}
