using GitpleLive.Server.Api;
using GitpleLive.Server.Auth;
using GitpleLive.Server.Services;
using GitpleLive.Server.Storage;
using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>PROTOCOL §5.1: the caller's own profile, meta and read marks.</summary>
public static class SdkUserEndpoints
{
    public static void Map(RouteGroupBuilder g)
    {
        g.MapGet("/users/info/me", async (HttpContext http, UserService users) =>
            Json(await users.GetAsync(http.Caller().AppId, http.Caller().UserId, http.RequestAborted)));

        g.MapPut("/users", async (HttpContext http, UserService users) =>
        {
            var body = await http.BodyAsync();
            var name = body.OptionalString("name", Limits.NameLength);
            var profile = body.OptionalString("profile_url", Limits.UrlLength, allowEmpty: true);
            return Json(await users.UpdateAsync(http.Caller().App, http.Caller().UserId, name, profile, null, http.RequestAborted));
        });

        g.MapPut("/users/{userId}/meta", async (HttpContext http, string userId, UserService users) =>
        {
            RequireSelf(http, userId);
            var body = await http.BodyAsync();
            return Json(await users.UpdateMetaAsync(http.Caller().App, userId, body.RequiredMeta("meta"), http.RequestAborted));
        });

        g.MapDelete("/users/{userId}/meta", async (HttpContext http, string userId, UserService users) =>
        {
            RequireSelf(http, userId);
            var body = await http.BodyAsync();
            return Json(await users.DeleteMetaAsync(http.Caller().App, userId, body.RequiredKeyList("keys"), http.RequestAborted));
        });

        g.MapPut("/users/messages/read", async (HttpContext http, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            var ids = body.OptionalIdList("channels", 100) ?? throw ApiException.BadRequest("channels is required");
            if (ids.Count == 0) throw ApiException.BadRequest("channels must not be empty");
            await channels.MarkReadAsync(http.Caller().App, ids, http.Caller().UserId, http.RequestAborted);
            return Json(Ok);
        });
    }

    private static void RequireSelf(HttpContext http, string userId)
    {
        if (userId != http.Caller().UserId)
            throw ApiException.Forbidden(ErrorCodes.NoPermission, $"user_id: only your own meta can be changed (you are '{http.Caller().UserId}')");
    }
}
