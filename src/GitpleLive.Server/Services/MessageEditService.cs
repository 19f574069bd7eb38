namespace GitpleLive.Server.Services;

/// <summary>
/// Editing a message's text (PROTOCOL §10): only its sender — managers may delete others' messages but never rewrite
/// their words — or the app's backend (Platform API). The profanity filter applies as on send, and so does the frozen
/// rule. File messages have no text to edit and are refused (1001).
/// </summary>
public sealed class MessageEditService(ChatStore store, IEventPublisher events, MessageMapper mapper, ProfanityFilter profanity,
    TimeProvider time)
{
    /// <summary>Replaces the content; the answer and the <c>group:message_update</c> event carry <c>edited_at</c>.</summary>
    public async Task<MessageDto> EditAsync(ChatCaller caller, string channelId, long messageId, string content,
        CancellationToken cancellationToken = default)
    {
        var app = caller.App;
        var ct = cancellationToken;
        var (_, dto) = await store.WriteAsync(async db =>
        {
            var c = await MessageExtras.RequireCanActAsync(db, caller, channelId, ct);
            var m = await MessageExtras.RequireMessageAsync(db, app.AppId, channelId, messageId, ct);
            if (!caller.IsPlatform && m.UserId != caller.UserId)
                throw ApiException.Forbidden(ErrorCodes.NoPermission, $"only the sender of message {messageId} may edit it");
            if (m.Type != "text")
                throw ApiException.BadRequest($"message {messageId} is a {m.Type} message; only text messages can be edited");
            // As on send: what users write goes through the filter (block: 1020), the app's backend is trusted.
            var (text, origin) = caller.IsPlatform ? (content, null) : profanity.Apply(app, content);
            var now = time.NowMs();
            m.Content = text;
            m.FilterOriginContent = origin;
            m.EditedAt = now;
            m.UpdatedAt = now;
            return (c, await MessageExtras.CurrentAsync(db, mapper, m, ct));
        }, edited => [MessageExtras.Event(app.AppId, edited.c, EventCategories.MessageUpdate, edited.Item2)], events, ct);
        return dto;
    }
}
