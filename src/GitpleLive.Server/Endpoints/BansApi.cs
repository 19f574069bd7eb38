using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>PROTOCOL §5.2, §8 and §10: channel bans, the same routes in both APIs, for group and open channels.</summary>
public static class BansApi
{
    /// <summary>The bans routes over <typeparamref name="TService"/>, the channel kind's service.</summary>
    public static RouteGroupBuilder MapBans<TService>(this RouteGroupBuilder group) where TService : class, IChannelBans
    {
        group.MapPost("/{channelId}/ban", async (HttpContext http, string channelId, ChatCaller caller,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            return TypedResults.Ok(await Service<TService>(http).BanAsync(caller, Id("channel_id", channelId), body.RequiredId("user_id"),
                ChannelArgs.BanSeconds(body), ChannelArgs.Reason(body), cancellationToken));
        });

        group.MapDelete("/{channelId}/ban/{userId}", async (HttpContext http, string channelId, string userId, ChatCaller caller,
            CancellationToken cancellationToken) =>
        {
            await Service<TService>(http).UnbanAsync(caller, Id("channel_id", channelId), Id("user_id", userId), cancellationToken);
            return Done();
        });

        group.MapGet("/{channelId}/banned_list", async (HttpContext http, string channelId, ChatCaller caller,
            CancellationToken cancellationToken) =>
            TypedResults.Ok(await Service<TService>(http).BannedAsync(caller, Id("channel_id", channelId), cancellationToken)));

        return group;
    }
}
