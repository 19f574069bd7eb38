using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>PROTOCOL §5.2 and §8: who is in a channel — members, managers, joining, leaving, receipts.</summary>
public static class MembersApi
{
    /// <summary>The routes of both APIs: members and managers.</summary>
    public static RouteGroupBuilder MapMembers(this RouteGroupBuilder group)
    {
        group.MapGet("/{channelId}/members", async (string channelId, ChatCaller caller, MembershipService members,
            CancellationToken cancellationToken) =>
            TypedResults.Ok(await members.MembersAsync(caller, Id("channel_id", channelId), cancellationToken)));

        group.MapManagers<MembershipService>();
        return group;
    }

    /// <summary>
    /// The managers routes group and open channels share: the list, and one manager (body <c>manager</c>) added or removed.
    /// </summary>
    public static RouteGroupBuilder MapManagers<TService>(this RouteGroupBuilder group) where TService : class, IChannelManagers
    {
        group.MapGet("/{channelId}/managers", async (HttpContext http, string channelId, ChatCaller caller,
            CancellationToken cancellationToken) =>
            TypedResults.Ok(await Service<TService>(http).ManagersAsync(caller, Id("channel_id", channelId), cancellationToken)));

        group.MapPost("/{channelId}/managers", async (HttpContext http, string channelId, ChatCaller caller,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            await Service<TService>(http).AddManagerAsync(caller, Id("channel_id", channelId), body.RequiredId("manager"),
                cancellationToken);
            return Done();
        });

        group.MapDelete("/{channelId}/managers", async (HttpContext http, string channelId, ChatCaller caller,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            await Service<TService>(http).RemoveManagerAsync(caller, Id("channel_id", channelId), body.RequiredId("manager"),
                cancellationToken);
            return Done();
        });

        return group;
    }

    /// <summary>The SDK's own routes: the caller joins, leaves, reads and receives; who is online.</summary>
    public static RouteGroupBuilder MapSdkMembers(this RouteGroupBuilder group)
    {
        // A PUT on one channel that changes the caller's own membership or receipts and answers {}.
        void MapPutOnChannel(string pattern, Func<MembershipService, ChatCaller, string, CancellationToken, Task> change) =>
            group.MapPut(pattern, async (string channelId, ChatCaller caller, MembershipService members,
                CancellationToken cancellationToken) =>
            {
                await change(members, caller, Id("channel_id", channelId), cancellationToken);
                return Done();
            });

        MapPutOnChannel("/{channelId}/join", (members, caller, channelId, ct) => members.JoinAsync(caller, channelId, ct));
        MapPutOnChannel("/{channelId}/leave", (members, caller, channelId, ct) => members.LeaveAsync(caller, channelId, ct));
        MapPutOnChannel("/{channelId}/messages/read",
            (members, caller, channelId, ct) => members.MarkReadAsync(caller, [channelId], ct));
        MapPutOnChannel("/{channelId}/messages/delivered",
            (members, caller, channelId, ct) => members.MarkDeliveredAsync(caller, channelId, ct));

        group.MapGet("/{channelId}/online_members", async (string channelId, ChatCaller caller, MembershipService members,
            CancellationToken cancellationToken) =>
            TypedResults.Ok(await members.OnlineMembersAsync(caller, Id("channel_id", channelId), cancellationToken)));

        return group;
    }

    /// <summary>The Platform API's own routes: members added and removed by the app's backend.</summary>
    public static RouteGroupBuilder MapPlatformMembers(this RouteGroupBuilder group)
    {
        group.MapPost("/{channelId}/members", async (HttpContext http, string channelId, ChatCaller caller, MembershipService members,
            CancellationToken cancellationToken) =>
        {
            var userIds = await MemberIdsAsync(http);
            await members.AddMembersAsync(caller, Id("channel_id", channelId), userIds, cancellationToken);
            return Done();
        });

        group.MapDelete("/{channelId}/members", async (HttpContext http, string channelId, ChatCaller caller, MembershipService members,
            CancellationToken cancellationToken) =>
        {
            var userIds = await MemberIdsAsync(http);
            await members.RemoveMembersAsync(caller, Id("channel_id", channelId), userIds, cancellationToken);
            return Done();
        });

        return group;
    }

    /// <summary>The required <c>members</c> list of a Platform request body: up to 1000 user ids.</summary>
    private static async Task<IReadOnlyList<string>> MemberIdsAsync(HttpContext http) =>
        (await http.BodyAsync()).OptionalIdList("members", 1000) ?? throw ApiException.BadRequest("members is required");
}
