using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>PROTOCOL §5.2 and §8: channel bans, the same routes in both APIs.</summary>
public static class BansApi
{
    public static RouteGroupBuilder MapBans(this RouteGroupBuilder group)
    {
        group.MapPost("/{channelId}/ban", async (HttpContext http, string channelId, ChatCaller caller, BanService bans,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            return TypedResults.Ok(await bans.BanAsync(caller, Id("channel_id", channelId), body.RequiredId("user_id"),
                ChannelArgs.BanSeconds(body), ChannelArgs.Reason(body), cancellationToken));
        });

        group.MapDelete("/{channelId}/ban/{userId}", async (string channelId, string userId, ChatCaller caller, BanService bans,
            CancellationToken cancellationToken) =>
        {
            await bans.UnbanAsync(caller, Id("channel_id", channelId), Id("user_id", userId), cancellationToken);
            return Done();
        });

        group.MapGet("/{channelId}/banned_list", async (string channelId, ChatCaller caller, BanService bans,
            CancellationToken cancellationToken) =>
            TypedResults.Ok(await bans.BannedAsync(caller, Id("channel_id", channelId), cancellationToken)));

        return group;
    }
}
