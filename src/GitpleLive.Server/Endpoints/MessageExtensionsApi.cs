using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>
/// PROTOCOL §10 message extensions: edit, reactions, a thread's replies, typing. Mapped onto both APIs; the Platform API
/// edits any message as the app's backend, and reacts and types as the member it names with <c>user_id</c>.
/// </summary>
public static class MessageExtensionsApi
{
    public static RouteGroupBuilder MapMessageExtensions(this RouteGroupBuilder group)
    {
        group.MapPut("/{channelId}/messages/{messageId}", async (HttpContext http, string channelId, string messageId, ChatCaller caller,
            MessageEditService edits, CancellationToken cancellationToken) =>
        {
            var (channel, message) = (Id("channel_id", channelId), MessageId(messageId));
            var body = await http.BodyAsync();
            return TypedResults.Ok(await edits.EditAsync(caller, channel, message, body.RequiredString("content", Limits.ContentLength),
                cancellationToken));
        });

        group.MapPost("/{channelId}/messages/{messageId}/reactions", (HttpContext http, string channelId, string messageId,
            ChatCaller caller, ReactionService reactions, CancellationToken cancellationToken) =>
            ReactAsync(http, channelId, messageId, caller, (as_, c, m, key) => reactions.AddAsync(as_, c, m, key, cancellationToken)));

        group.MapDelete("/{channelId}/messages/{messageId}/reactions", (HttpContext http, string channelId, string messageId,
            ChatCaller caller, ReactionService reactions, CancellationToken cancellationToken) =>
            ReactAsync(http, channelId, messageId, caller, (as_, c, m, key) => reactions.RemoveAsync(as_, c, m, key, cancellationToken)));

        group.MapGet("/{channelId}/messages/{messageId}/replies", async (HttpContext http, string channelId, string messageId,
            ChatCaller caller, ReplyService replies, CancellationToken cancellationToken) =>
        {
            var (channel, message) = (Id("channel_id", channelId), MessageId(messageId));
            if (http.Request.Query.ContainsKey("content"))
                throw ApiException.BadRequest("content: the replies page does not filter by content; use the message search");
            return TypedResults.Ok(await replies.ListAsync(caller, channel, message, ChannelArgs.MessageQuery(http.Request),
                cancellationToken));
        });

        group.MapPut("/{channelId}/typing", async (HttpContext http, string channelId, ChatCaller caller, TypingService typing,
            CancellationToken cancellationToken) =>
        {
            var channel = Id("channel_id", channelId);
            var body = await http.BodyAsync();
            var on = body.OptionalBool("typing") ?? throw ApiException.BadRequest("typing is required (true or false)");
            await typing.SetAsync(ActingUser(caller, body), channel, on, cancellationToken);
            return Done();
        });

        return group;
    }

    private static async Task<Microsoft.AspNetCore.Http.HttpResults.Ok<MessageDto>> ReactAsync(HttpContext http, string channelId,
        string messageId, ChatCaller caller, Func<ChatCaller, string, long, string, Task<MessageDto>> change)
    {
        var (channel, message) = (Id("channel_id", channelId), MessageId(messageId));
        var body = await http.BodyAsync();
        var key = ReactionService.CheckKey(body.RequiredString("key", Limits.ReactionKeyLength));
        return TypedResults.Ok(await change(ActingUser(caller, body), channel, message, key));
    }

    /// <summary>An SDK user acts as themselves; the Platform API names the member it acts as (<c>user_id</c>, required).</summary>
    private static ChatCaller ActingUser(ChatCaller caller, JsonBody body) =>
        caller.IsPlatform ? ChatCaller.User(caller.App, body.RequiredId("user_id")) : caller;
}
