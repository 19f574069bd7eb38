using Microsoft.AspNetCore.Http.HttpResults;
using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>PROTOCOL §5.3–5.4 and §8: messages.</summary>
public static class MessagesApi
{
    /// <summary>What a history import answers.</summary>
    public sealed record ImportResult(int Imported, long FirstMessageId, long LastMessageId);

    /// <summary>The routes of both APIs: send, history, delete.</summary>
    public static RouteGroupBuilder MapMessages(this RouteGroupBuilder group)
    {
        // The Platform API names the sender (user_id); an SDK user sends as themselves.
        group.MapPost("/{channelId}/messages", async (HttpContext http, string channelId, ChatCaller caller, MessageService messages,
            CancellationToken cancellationToken) =>
        {
            var input = await MessageInput.ReadAsync(http, senderField: caller.IsPlatform);
            var sent = await messages.SendAsync(caller, Id("channel_id", channelId), input.SenderId, input.Content,
                input.File, input.Meta, input.Extras, cancellationToken);
            // Written whole with a Content-Length, not chunked: Android reads an upload's answer with one read().
            return TypedResults.Bytes(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(sent, ApiJson.Options),
                "application/json; charset=utf-8");
        }).Produces<MessageDto>(StatusCodes.Status200OK, "application/json");

        group.MapGet("/{channelId}/messages", async (HttpContext http, string channelId, ChatCaller caller, MessageService messages,
            CancellationToken cancellationToken) =>
            TypedResults.Ok(await messages.ListAsync(caller, Id("channel_id", channelId), ChannelArgs.MessageQuery(http.Request),
                cancellationToken)));

        group.MapDelete("/{channelId}/messages/{messageId}", async (string channelId, string messageId, ChatCaller caller,
            MessageService messages,
            CancellationToken cancellationToken) =>
        {
            await messages.DeleteAsync(caller, Id("channel_id", channelId), MessageId(messageId), cancellationToken);
            return Done();
        });

        return group;
    }

    /// <summary>The SDK's own routes: message meta.</summary>
    public static RouteGroupBuilder MapSdkMessages(this RouteGroupBuilder group)
    {
        group.MapPut("/{channelId}/messages/{messageId}/meta", (HttpContext http, string channelId, string messageId,
            ChatCaller caller, MessageService messages, CancellationToken cancellationToken) =>
            ChangeMetaAsync(http, channelId, messageId, (channel, message, body) =>
                messages.UpdateMetaAsync(caller, channel, message, body.RequiredMeta("meta"), cancellationToken)));

        group.MapDelete("/{channelId}/messages/{messageId}/meta", (HttpContext http, string channelId, string messageId,
            ChatCaller caller, MessageService messages, CancellationToken cancellationToken) =>
            ChangeMetaAsync(http, channelId, messageId, (channel, message, body) =>
                messages.DeleteMetaAsync(caller, channel, message, body.RequiredKeyList("keys"), cancellationToken)));

        return group;
    }

    /// <summary>Reads the body, checks the ids and applies a change to one message's meta.</summary>
    private static async Task<Ok<MessageDto>> ChangeMetaAsync(HttpContext http, string channelId, string messageId,
        Func<string, long, JsonBody, Task<MessageDto>> change)
    {
        var body = await http.BodyAsync();
        return TypedResults.Ok(await change(Id("channel_id", channelId), MessageId(messageId), body));
    }

    /// <summary>The Platform API's own routes: history import.</summary>
    public static RouteGroupBuilder MapPlatformMessages(this RouteGroupBuilder group)
    {
        group.MapPost("/{channelId}/messages/import", async (HttpContext http, string channelId, ChatCaller caller, MessageService messages,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            var items = body.RequiredObjectList("messages", 1000).Select((m, i) => JsonBody.Entry($"messages[{i}]", () =>
                new MessageService.ImportedMessage(m.RequiredId("user_id"), m.RequiredString("content", Limits.ContentLength),
                    m.OptionalLong("created_at", 0, 253402300799999), m.OptionalMeta("meta")))).ToList();
            if (items.Count == 0) throw ApiException.BadRequest("messages must not be empty");
            var (first, last) = await messages.ImportAsync(caller, Id("channel_id", channelId), items, cancellationToken);
            return TypedResults.Ok(new ImportResult(items.Count, first, last));
        });

        return group;
    }
}
