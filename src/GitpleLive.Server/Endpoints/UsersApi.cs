using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>PROTOCOL §5.1 and §8: users — the SDK caller's own profile, the app backend's user directory.</summary>
public static class UsersApi
{
    /// <summary>The SDK's routes: the caller's own profile, meta and read marks.</summary>
    public static RouteGroupBuilder MapSdkUsers(this RouteGroupBuilder sdk)
    {
        sdk.MapGet("/users/info/me", async (ChatCaller caller, UserService users, CancellationToken cancellationToken) =>
            TypedResults.Ok(await users.GetAsync(caller, caller.RequireUserId(), cancellationToken)));

        sdk.MapPut("/users", async (HttpContext http, ChatCaller caller, UserService users, CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            var name = body.OptionalNewName("name", Limits.NameLength);
            var profile = body.OptionalString("profile_url", Limits.UrlLength, allowEmpty: true);
            return TypedResults.Ok(await users.UpdateAsync(caller, caller.RequireUserId(), name, profile, null, cancellationToken));
        });

        sdk.MapPut("/users/{userId}/meta", async (HttpContext http, string userId, ChatCaller caller, UserService users,
            CancellationToken cancellationToken) =>
        {
            UserService.RequireOwnMeta(caller, userId);
            var body = await http.BodyAsync();
            return TypedResults.Ok(await users.UpdateMetaAsync(caller, userId, body.RequiredMeta("meta"), cancellationToken));
        });

        sdk.MapDelete("/users/{userId}/meta", async (HttpContext http, string userId, ChatCaller caller, UserService users,
            CancellationToken cancellationToken) =>
        {
            UserService.RequireOwnMeta(caller, userId);
            var body = await http.BodyAsync();
            return TypedResults.Ok(await users.DeleteMetaAsync(caller, userId, body.RequiredKeyList("keys"), cancellationToken));
        });

        sdk.MapPut("/users/messages/read", async (HttpContext http, ChatCaller caller, MembershipService members,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            var ids = body.OptionalIdList("channels", 100, jsonText: true) ?? throw ApiException.BadRequest("channels is required");
            if (ids.Count == 0) throw ApiException.BadRequest("channels must not be empty");
            await members.MarkReadAsync(caller, ids, cancellationToken);
            return Done();
        });

        return sdk;
    }

    /// <summary>The Platform API's routes, on its <c>/users</c> group.</summary>
    public static RouteGroupBuilder MapPlatformUsers(this RouteGroupBuilder group)
    {
        group.MapPost("", async (HttpContext http, ChatCaller caller, UserService users, CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            return TypedResults.Ok(await users.CreateAsync(caller, body.RequiredId("user_id"),
                body.RequiredString("name", Limits.NameLength),
                body.OptionalString("profile_url", Limits.UrlLength), body.OptionalMeta("meta"), cancellationToken));
        });

        group.MapGet("", async (HttpContext http, ChatCaller caller, UserService users, CancellationToken cancellationToken) =>
            TypedResults.Ok(await users.ListAsync(caller, http.Request.Int("limit", 20, 1, 100), http.Request.String("next", 600),
                http.Request.String("user_ids", 100 * 130), http.Request.String("query", Limits.NameLength), cancellationToken)));

        group.MapGet("/{userId}", async (string userId, ChatCaller caller, UserService users, CancellationToken cancellationToken) =>
            TypedResults.Ok(await users.GetAsync(caller, Id("user_id", userId), cancellationToken)));

        group.MapPut("/{userId}", async (HttpContext http, string userId, ChatCaller caller, UserService users,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            return TypedResults.Ok(await users.UpdateAsync(caller, Id("user_id", userId), body.OptionalNewName("name", Limits.NameLength),
                body.OptionalString("profile_url", Limits.UrlLength, allowEmpty: true), body.OptionalMeta("meta"), cancellationToken));
        });

        group.MapDelete("/{userId}", async (string userId, ChatCaller caller, UserService users, CancellationToken cancellationToken) =>
        {
            await users.DeleteAsync(caller, Id("user_id", userId), cancellationToken);
            return Done();
        });

        return group;
    }
}
