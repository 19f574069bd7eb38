using GitpleLive.Server.Api;
using GitpleLive.Server.Auth;

namespace GitpleLive.Server.Endpoints;

/// <summary>Maps every HTTP route of the server.</summary>
public static class EndpointMap
{
    /// <summary>Body of calls that answer "200" with nothing to say.</summary>
    public static readonly object Ok = new { };

    public static void MapAll(WebApplication app)
    {
        HealthEndpoints.Map(app);
        FileEndpoints.Map(app);
        SdkTokenEndpoints.Map(app.MapGroup("/v1/sdk/users"));

        var sdk = app.MapGroup("/v1/sdk").AddEndpointFilter(AuthFilters.SdkAsync);
        SdkUserEndpoints.Map(sdk);
        SdkChannelEndpoints.Map(sdk);
        SdkMessageEndpoints.Map(sdk);
        SdkReportEndpoints.Map(sdk);

        var platform = app.MapGroup("/v1").AddEndpointFilter(AuthFilters.PlatformAsync);
        PlatformEndpoints.Map(platform);

        // Unknown routes answer in the protocol's error shape too.
        app.MapFallback((HttpContext http) =>
        {
            throw ApiException.NotFound(ErrorCodes.ResourceNotFound, $"no route {http.Request.Method} {http.Request.Path}");
        });
    }

    public static Task<JsonBody> BodyAsync(this HttpContext http) =>
        JsonBody.ReadAsync(http.Request, http.RequestServices.GetRequiredService<Hosting.ChatServerOptions>().MaxJsonBodySize);

    /// <summary>Checks a route id against the id rules.</summary>
    public static string Id(string field, string value) => Ids.Check(field, value);

    /// <summary>
    /// Parses a route message id: a positive integer below 2^53 (PROTOCOL §2). Anything else is a
    /// 400 naming the field, not a route miss.
    /// </summary>
    public static long MessageId(string value) =>
        long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id is > 0 and < 1L << 53
            ? id
            : throw ApiException.BadRequest($"message_id '{(value.Length > 40 ? value[..40] + "…" : value)}' must be a positive integer");

    public static IResult Json<T>(T value) => Results.Json(value, ApiJson.Options);
}
