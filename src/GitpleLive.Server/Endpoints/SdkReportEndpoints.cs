using GitpleLive.Server.Api;
using GitpleLive.Server.Auth;
using GitpleLive.Server.Services;
using GitpleLive.Server.Storage;
using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>PROTOCOL §5.5: reports.</summary>
public static class SdkReportEndpoints
{
    public static void Map(RouteGroupBuilder sdk)
    {
        sdk.MapPost("/reports", async (HttpContext http, ModerationService moderation) =>
        {
            var body = await http.BodyAsync();
            var type = body.RequiredString("report_type", 16);
            if (!ModerationService.Types.Contains(type)) throw ApiException.BadRequest("report_type must be one of user, channel, message");
            var category = body.OptionalString("report_category", 16) ?? "general";
            if (!ModerationService.Categories.Contains(category)) throw ApiException.BadRequest("report_category must be one of general, spam, profanity, etc, custom");
            var channelType = body.OptionalString("channel_type", 8);
            if (channelType is not null && channelType != "group") throw ApiException.BadRequest("channel_type must be \"group\"");
            var request = new ModerationService.ReportRequest(type, category, body.OptionalString("reason", Limits.ReasonLength, allowEmpty: true),
                body.OptionalId("user_id"), body.OptionalId("channel_id"), body.OptionalLong("message_id", 1, long.MaxValue));
            return Json(await moderation.CreateAsync(http.Caller().App, http.Caller().UserId, request, http.RequestAborted));
        });

        sdk.MapGet("/reports/group/channels/{channelId}", async (HttpContext http, string channelId, ModerationService moderation) =>
            Json(await moderation.ListForChannelAsync(http.Caller().AppId, Id("channel_id", channelId), Actor.User(http.Caller().UserId),
                http.Request.Int("limit", 20, 1, 100), http.Request.OneOf("report_type", ModerationService.Types), http.Request.String("next", 600), http.RequestAborted)));
    }
}
