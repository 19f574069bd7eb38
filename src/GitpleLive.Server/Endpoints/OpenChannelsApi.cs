using Microsoft.AspNetCore.Http.HttpResults;
using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>
/// PROTOCOL §10: open channels under <c>/open/channels</c>, the same routes in both APIs. Where the SDK acts as its caller
/// (enter, exit, send) the Platform API names the user in the body (<c>user_id</c>).
/// </summary>
public static class OpenChannelsApi
{
    public static RouteGroupBuilder MapOpenChannels(this RouteGroupBuilder group)
    {
        group.MapPost("", async (HttpContext http, ChatCaller caller, OpenChannelService open, CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            var request = new OpenChannelService.CreateRequest(body.RequiredId("channel_id"),
                body.RequiredString("name", Limits.NameLength),
                body.OptionalString("profile_url", Limits.UrlLength), body.OptionalMeta("meta"),
                caller.IsPlatform ? body.OptionalIdList("managers", 1000) : null);
            return TypedResults.Ok(await open.CreateAsync(caller, request, cancellationToken));
        });

        group.MapGet("", async (HttpContext http, ChatCaller caller, OpenChannelService open, CancellationToken cancellationToken) =>
            TypedResults.Ok(await open.ListAsync(caller, ChannelArgs.PageLimit(http.Request),
                http.Request.String("name", Limits.NameLength), ChannelArgs.PageToken(http.Request), cancellationToken)));

        group.MapChannelAdmin<OpenChannelService>();

        group.MapPut("/{channelId}/enter", async (HttpContext http, string channelId, ChatCaller caller, OpenChannelService open,
            CancellationToken cancellationToken) =>
            TypedResults.Ok(await open.EnterAsync(caller, Id("channel_id", channelId), await ActingUserAsync(http, caller),
                cancellationToken)));

        group.MapPut("/{channelId}/exit", async (HttpContext http, string channelId, ChatCaller caller, OpenChannelService open,
            CancellationToken cancellationToken) =>
        {
            await open.ExitAsync(caller, Id("channel_id", channelId), await ActingUserAsync(http, caller), cancellationToken);
            return Done();
        });

        group.MapGet("/{channelId}/participants", async (HttpContext http, string channelId, ChatCaller caller, OpenChannelService open,
            CancellationToken cancellationToken) =>
            TypedResults.Ok(await open.ParticipantsAsync(caller, Id("channel_id", channelId), ChannelArgs.PageLimit(http.Request),
                ChannelArgs.PageToken(http.Request), cancellationToken)));

        group.MapManagers<OpenChannelService>();
        group.MapBans<OpenChannelService>();
        MapMessages(group);
        return group;
    }

    /// <summary>The Platform API's <c>user_id</c> (required there); the SDK's body, if any, is not read.</summary>
    private static async Task<string?> ActingUserAsync(HttpContext http, ChatCaller caller) =>
        caller.IsPlatform ? (await http.BodyAsync()).RequiredId("user_id") : null;

    private static void MapMessages(RouteGroupBuilder group)
    {
        // Text messages only (file messages are the group channels'); the Platform API names the sender (user_id).
        group.MapPost("/{channelId}/messages", async (HttpContext http, string channelId, ChatCaller caller, OpenChannelService open,
            CancellationToken cancellationToken) =>
        {
            var id = Id("channel_id", channelId);
            if (http.Request.HasFormContentType) throw ApiException.BadRequest("type: open channels take text messages only");
            var body = await http.BodyAsync();
            if (body.OptionalString("type", 8) is { } type && type != "text")
                throw ApiException.BadRequest($"type '{type}' is not supported in open channels (use text)");
            var sender = caller.IsPlatform ? body.RequiredId("user_id") : null;
            return TypedResults.Ok(await open.SendAsync(caller, id, sender, body.RequiredString("content", Limits.ContentLength),
                body.OptionalMeta("meta"), cancellationToken));
        });

        group.MapGet("/{channelId}/messages", async (HttpContext http, string channelId, ChatCaller caller, OpenChannelService open,
            CancellationToken cancellationToken) =>
            TypedResults.Ok(await open.ListMessagesAsync(caller, Id("channel_id", channelId), ChannelArgs.MessageQuery(http.Request),
                cancellationToken)));

        group.MapDelete("/{channelId}/messages/{messageId}", async (string channelId, string messageId, ChatCaller caller,
            OpenChannelService open, CancellationToken cancellationToken) =>
        {
            await open.DeleteMessageAsync(caller, Id("channel_id", channelId), MessageId(messageId), cancellationToken);
            return Done();
        });

        group.MapPut("/{channelId}/messages/{messageId}/meta", async (HttpContext http, string channelId, string messageId,
            ChatCaller caller, OpenChannelService open, CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            return TypedResults.Ok(await open.UpdateMessageMetaAsync(caller, Id("channel_id", channelId), MessageId(messageId),
                body.RequiredMeta("meta"), cancellationToken));
        });

        group.MapDelete("/{channelId}/messages/{messageId}/meta", async (HttpContext http, string channelId, string messageId,
            ChatCaller caller, OpenChannelService open, CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            return TypedResults.Ok(await open.DeleteMessageMetaAsync(caller, Id("channel_id", channelId), MessageId(messageId),
                body.RequiredKeyList("keys"), cancellationToken));
        });
    }
}
