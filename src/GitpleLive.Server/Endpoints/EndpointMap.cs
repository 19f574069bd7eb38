using Microsoft.AspNetCore.Http.HttpResults;

namespace GitpleLive.Server.Endpoints;

/// <summary>
/// Maps every HTTP route of the server. The routes the SDK API (<c>/v1/sdk</c>) and the Platform API
/// (<c>/v1</c>) share are mapped once per resource onto both groups; the handlers and services tell
/// the two apart by the <see cref="ChatCaller"/> the group's auth filter binds.
/// </summary>
public static class EndpointMap
{
    /// <summary>Body of calls that answer "200" with nothing to say.</summary>
    public static readonly object Ok = new { };

    public static void MapAll(WebApplication app)
    {
        HealthEndpoints.Map(app);
        FileEndpoints.Map(app);
        app.MapGroup("/v1/sdk/users").MapSdkTokens();

        var sdk = app.MapGroup("/v1/sdk").RequireSdkUser();
        var platform = app.MapGroup("/v1").RequirePlatform();

        foreach (var api in (RouteGroupBuilder[])[sdk, platform])
        {
            var channels = api.MapGroup("/group/channels");
            channels.MapChannels();
            channels.MapMembers();
            channels.MapMessages();
            channels.MapBans<BanService>();
            api.MapGroup("/open/channels").MapOpenChannels();
            channels.MapPushPreference();
            channels.MapMessageExtensions();
            api.MapSearch();
        }
        // The official JS SDK 1.1.0 asks for an open channel at its API prefix twice (/v1/v1/sdk/open/channels/{id}):
        // answer there too, with the same rules, so its getChannel works unchanged. Not part of the API reference.
        app.MapGroup("/v1/v1/sdk/open/channels").RequireSdkUser().ExcludeFromDescription().MapOpenChannels();

        var sdkChannels = sdk.MapGroup("/group/channels");
        sdkChannels.MapSdkChannels();
        sdkChannels.MapSdkMembers();
        sdkChannels.MapSdkMessages();
        sdk.MapSdkUsers();
        sdk.MapSdkDeviceTokens();
        sdk.MapReports();

        var platformChannels = platform.MapGroup("/group/channels");
        platformChannels.MapPlatformMembers();
        platformChannels.MapPlatformMessages();
        platform.MapApp();
        platform.MapPushSettings();
        platform.MapPlatformWebhooks();
        platform.MapGroup("/users").MapPlatformUsers().MapPlatformTokens();

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
        long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
        && id is > 0 and < 1L << 53
            ? id
            : throw ApiException.BadRequest($"message_id '{(value.Length > 40 ? value[..40] + "…" : value)}' must be a positive integer");

    /// <summary>200 with <c>{}</c>.</summary>
    public static Ok<object> Done() => TypedResults.Ok(Ok);

    /// <summary>
    /// The request's <typeparamref name="TService"/>, for handlers shared by channel kinds (generic over the service): a
    /// handler parameter of a type parameter crashes ASP.NET Core's route handler analyzer (dotnet/aspnetcore#56831).
    /// </summary>
    public static TService Service<TService>(HttpContext http) where TService : notnull =>
        http.RequestServices.GetRequiredService<TService>();
}
