using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>PROTOCOL §5.2 and §8: group channels, as an SDK user and as the app's backend see them.</summary>
public static class ChannelsApi
{
    /// <summary>The routes of both APIs, on their <c>/group/channels</c> groups.</summary>
    public static RouteGroupBuilder MapChannels(this RouteGroupBuilder group)
    {
        group.MapPost("", async (HttpContext http, ChatCaller caller, ChannelService channels, CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            // The Platform API names up to 100,000 members and the managers; an SDK user names up to
            // 1000 members and becomes the channel's manager.
            var request = new ChannelService.CreateRequest(
                body.RequiredId("channel_id"), body.RequiredString("name", Limits.NameLength),
                body.OptionalString("profile_url", Limits.UrlLength),
                body.OptionalIdList("members", caller.IsPlatform ? 100_000 : 1000) ?? [], body.OptionalBool("reuse") ?? false,
                body.OptionalMeta("meta"), caller.IsPlatform ? body.OptionalIdList("managers", 1000) : null);
            return TypedResults.Ok(await channels.CreateAsync(caller, request, cancellationToken));
        });

        // The Platform API may list one user's channels (user_id); an SDK user has /joined/list for that.
        group.MapGet("", async (HttpContext http, ChatCaller caller, ChannelService channels, CancellationToken cancellationToken) =>
        {
            var joinedBy = caller.IsPlatform && http.Request.String("user_id") is { } u ? Id("user_id", u) : null;
            return TypedResults.Ok(await channels.ListAsync(caller, joinedBy, ChannelArgs.ListQuery(http.Request), cancellationToken));
        });

        group.MapChannelAdmin<ChannelService>();
        return group;
    }

    /// <summary>
    /// One channel's routes that group and open channels share: get, update (name, picture, and meta for the Platform
    /// API only; SDK users of group channels have /meta), delete, freeze. <typeparamref name="TService"/> is the kind's service.
    /// </summary>
    public static RouteGroupBuilder MapChannelAdmin<TService>(this RouteGroupBuilder group) where TService : class, IChannelAdmin
    {
        group.MapGet("/{channelId}", async (HttpContext http, string channelId, ChatCaller caller,
            CancellationToken cancellationToken) =>
            TypedResults.Ok(await Service<TService>(http).GetAsync(caller, Id("channel_id", channelId), cancellationToken)));

        group.MapPut("/{channelId}", async (HttpContext http, string channelId, ChatCaller caller,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            return TypedResults.Ok(await Service<TService>(http).UpdateAsync(caller, Id("channel_id", channelId),
                body.OptionalNewName("name", Limits.NameLength), body.OptionalString("profile_url", Limits.UrlLength, allowEmpty: true),
                caller.IsPlatform ? body.OptionalMeta("meta") : null, cancellationToken));
        });

        group.MapDelete("/{channelId}", async (HttpContext http, string channelId, ChatCaller caller,
            CancellationToken cancellationToken) =>
        {
            await Service<TService>(http).DeleteAsync(caller, Id("channel_id", channelId), cancellationToken);
            return Done();
        });

        group.MapPut("/{channelId}/freeze", async (HttpContext http, string channelId, ChatCaller caller,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            var freeze = body.OptionalBool("freeze") ?? throw ApiException.BadRequest("freeze is required");
            return TypedResults.Ok(await Service<TService>(http).FreezeAsync(caller, Id("channel_id", channelId), freeze,
                cancellationToken));
        });

        return group;
    }

    /// <summary>The SDK's own routes: the caller's channels and channel meta.</summary>
    public static RouteGroupBuilder MapSdkChannels(this RouteGroupBuilder group)
    {
        group.MapGet("/joined/list", async (HttpContext http, ChatCaller caller, ChannelService channels,
            CancellationToken cancellationToken) =>
            TypedResults.Ok(await channels.ListAsync(caller, caller.RequireUserId(), ChannelArgs.ListQuery(http.Request),
                cancellationToken)));

        group.MapGet("/joined/list/all", async (HttpContext http, ChatCaller caller, ChannelService channels,
            CancellationToken cancellationToken) =>
            TypedResults.Ok(await channels.ListAllJoinedAsync(caller, ChannelArgs.ListQuery(http.Request), cancellationToken)));

        group.MapPut("/{channelId}/meta", async (HttpContext http, string channelId, ChatCaller caller, ChannelService channels,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            return TypedResults.Ok(await channels.UpdateMetaAsync(caller, Id("channel_id", channelId), body.RequiredMeta("meta"),
                cancellationToken));
        });

        group.MapDelete("/{channelId}/meta", async (HttpContext http, string channelId, ChatCaller caller, ChannelService channels,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            return TypedResults.Ok(await channels.DeleteMetaAsync(caller, Id("channel_id", channelId), body.RequiredKeyList("keys"),
                cancellationToken));
        });

        return group;
    }
}
