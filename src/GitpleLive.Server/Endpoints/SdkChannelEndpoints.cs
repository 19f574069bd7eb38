using GitpleLive.Server.Api;
using GitpleLive.Server.Auth;
using GitpleLive.Server.Services;
using GitpleLive.Server.Storage;
using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>PROTOCOL §5.2: group channels as an end user sees them.</summary>
public static class SdkChannelEndpoints
{
    public static void Map(RouteGroupBuilder sdk)
    {
        var g = sdk.MapGroup("/group/channels");

        g.MapGet("", async (HttpContext http, ChannelService channels) =>
            Json(await channels.ListAsync(http.Caller().AppId, null, ChannelArgs.ListQuery(http.Request), http.RequestAborted)));

        g.MapGet("/joined/list", async (HttpContext http, ChannelService channels) =>
            Json(await channels.ListAsync(http.Caller().AppId, http.Caller().UserId, ChannelArgs.ListQuery(http.Request), http.RequestAborted)));

        g.MapGet("/joined/list/all", async (HttpContext http, ChannelService channels) =>
            Json(await channels.ListAllJoinedAsync(http.Caller().AppId, http.Caller().UserId, ChannelArgs.ListQuery(http.Request), http.RequestAborted)));

        g.MapGet("/{channelId}", async (HttpContext http, string channelId, ChannelService channels) =>
            Json(await channels.GetAsync(http.Caller().AppId, Id("channel_id", channelId), Actor.User(http.Caller().UserId), http.RequestAborted)));

        g.MapPost("", async (HttpContext http, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            var request = new ChannelService.CreateRequest(
                body.RequiredId("channel_id"),
                body.RequiredString("name", Limits.NameLength),
                body.OptionalString("profile_url", Limits.UrlLength),
                body.OptionalIdList("members", 1000) ?? [],
                body.OptionalBool("reuse") ?? false,
                body.OptionalMeta("meta"));
            return Json(await channels.CreateAsync(http.Caller().App, Actor.User(http.Caller().UserId), request, http.RequestAborted));
        });

        g.MapPut("/{channelId}", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            return Json(await channels.UpdateAsync(http.Caller().App, Id("channel_id", channelId), Actor.User(http.Caller().UserId),
                body.OptionalString("name", Limits.NameLength), body.OptionalString("profile_url", Limits.UrlLength, allowEmpty: true), null, http.RequestAborted));
        });

        g.MapDelete("/{channelId}", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            await channels.DeleteAsync(http.Caller().App, Id("channel_id", channelId), Actor.User(http.Caller().UserId), http.RequestAborted);
            return Json(Ok);
        });

        g.MapPut("/{channelId}/join", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            await channels.JoinAsync(http.Caller().App, Id("channel_id", channelId), http.Caller().UserId, http.RequestAborted);
            return Json(Ok);
        });

        g.MapPut("/{channelId}/leave", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            await channels.LeaveAsync(http.Caller().App, Id("channel_id", channelId), http.Caller().UserId, http.RequestAborted);
            return Json(Ok);
        });

        g.MapGet("/{channelId}/members", async (HttpContext http, string channelId, ChannelService channels) =>
            Json(await channels.MembersAsync(http.Caller().AppId, Id("channel_id", channelId), Actor.User(http.Caller().UserId), http.RequestAborted)));

        g.MapGet("/{channelId}/managers", async (HttpContext http, string channelId, ChannelService channels) =>
            Json(await channels.ManagersAsync(http.Caller().AppId, Id("channel_id", channelId), Actor.User(http.Caller().UserId), http.RequestAborted)));

        g.MapPost("/{channelId}/managers", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            await channels.AddManagerAsync(http.Caller().App, Id("channel_id", channelId), Actor.User(http.Caller().UserId), body.RequiredId("manager"), http.RequestAborted);
            return Json(Ok);
        });

        g.MapDelete("/{channelId}/managers", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            await channels.RemoveManagerAsync(http.Caller().App, Id("channel_id", channelId), Actor.User(http.Caller().UserId), body.RequiredId("manager"), http.RequestAborted);
            return Json(Ok);
        });

        g.MapPut("/{channelId}/freeze", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            var freeze = body.OptionalBool("freeze") ?? throw ApiException.BadRequest("freeze is required");
            return Json(await channels.FreezeAsync(http.Caller().App, Id("channel_id", channelId), Actor.User(http.Caller().UserId), freeze, http.RequestAborted));
        });

        g.MapPut("/{channelId}/meta", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            return Json(await channels.UpdateMetaAsync(http.Caller().App, Id("channel_id", channelId), Actor.User(http.Caller().UserId), body.RequiredMeta("meta"), http.RequestAborted));
        });

        g.MapDelete("/{channelId}/meta", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            return Json(await channels.DeleteMetaAsync(http.Caller().App, Id("channel_id", channelId), Actor.User(http.Caller().UserId), body.RequiredKeyList("keys"), http.RequestAborted));
        });

        g.MapPut("/{channelId}/messages/read", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            await channels.MarkReadAsync(http.Caller().App, [Id("channel_id", channelId)], http.Caller().UserId, http.RequestAborted);
            return Json(Ok);
        });

        g.MapPut("/{channelId}/messages/delivered", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            await channels.MarkDeliveredAsync(http.Caller().App, Id("channel_id", channelId), http.Caller().UserId, http.RequestAborted);
            return Json(Ok);
        });

        g.MapPost("/{channelId}/ban", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            return Json(await channels.BanAsync(http.Caller().App, Id("channel_id", channelId), Actor.User(http.Caller().UserId),
                body.RequiredId("user_id"), ChannelArgs.BanSeconds(body), ChannelArgs.Reason(body), http.RequestAborted));
        });

        g.MapDelete("/{channelId}/ban/{userId}", async (HttpContext http, string channelId, string userId, ChannelService channels) =>
        {
            await channels.UnbanAsync(http.Caller().App, Id("channel_id", channelId), Actor.User(http.Caller().UserId), Id("user_id", userId), http.RequestAborted);
            return Json(Ok);
        });

        g.MapGet("/{channelId}/banned_list", async (HttpContext http, string channelId, ChannelService channels) =>
            Json(await channels.BannedAsync(http.Caller().AppId, Id("channel_id", channelId), Actor.User(http.Caller().UserId), http.RequestAborted)));

        g.MapGet("/{channelId}/online_members", async (HttpContext http, string channelId, ChannelService channels) =>
            Json(await channels.OnlineMembersAsync(http.Caller().AppId, Id("channel_id", channelId), Actor.User(http.Caller().UserId), http.RequestAborted)));
    }
}
