using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>PROTOCOL §5.5: reports, made and read by SDK users.</summary>
public static class ReportsApi
{
    public static RouteGroupBuilder MapReports(this RouteGroupBuilder sdk)
    {
        sdk.MapPost("/reports", async (HttpContext http, ChatCaller caller, ModerationService moderation,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            var type = body.RequiredString("report_type", 16);
            if (!ModerationService.Types.Contains(type)) throw ApiException.BadRequest("report_type must be one of user, channel, message");
            var category = body.OptionalString("report_category", 16) ?? "general";
            if (!ModerationService.Categories.Contains(category))
                throw ApiException.BadRequest("report_category must be one of general, spam, profanity, etc, custom");
            var channelType = body.OptionalString("channel_type", 8);
            if (channelType is not null && channelType != "group") throw ApiException.BadRequest("channel_type must be \"group\"");
            var request = new ModerationService.ReportRequest(type, category,
                body.OptionalString("reason", Limits.ReasonLength, allowEmpty: true),
                body.OptionalId("user_id"), body.OptionalId("channel_id"), body.OptionalLong("message_id", 1, long.MaxValue));
            return TypedResults.Ok(await moderation.CreateAsync(caller, request, cancellationToken));
        });

        sdk.MapGet("/reports/group/channels/{channelId}", async (HttpContext http, string channelId, ChatCaller caller,
            ModerationService moderation,
            CancellationToken cancellationToken) =>
            TypedResults.Ok(await moderation.ListForChannelAsync(caller, Id("channel_id", channelId), http.Request.Int("limit", 20, 1, 100),
                http.Request.OneOf("report_type", ModerationService.Types), http.Request.String("next", 600), cancellationToken)));

        return sdk;
    }
}
