using GitpleLive.Server.Auth;
using GitpleLive.Server.Services;
using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>The two SDK calls that come before an SDK token exists (PROTOCOL §4).</summary>
public static class SdkTokenEndpoints
{
    public static void Map(RouteGroupBuilder g)
    {
        g.MapPost("/token", async (HttpContext http, AppService apps, TokenService tokens) =>
        {
            var app = await apps.RequireAsync(http.Request.Headers["APP_ID"], http.RequestAborted);
            await http.BodyAsync(); // must be a JSON object when present
            var t = await tokens.ExchangeAsync(app, http.Request.Headers["USER_ID"], AuthFilters.BearerToken(http), http.RequestAborted);
            return Json(new Api.TokenDto(t.Token, t.ExpiresAt));
        });

        g.MapPost("/token/by_client_id", async (HttpContext http, AppService apps, TokenService tokens) =>
        {
            var app = await apps.RequireAsync(http.Request.Headers["APP_ID"], http.RequestAborted);
            var body = await http.BodyAsync();
            var clientId = body.OptionalString("clientId", 512) ?? body.OptionalString("client_id", 512);
            var t = await tokens.ExchangeByClientIdAsync(app, http.Request.Headers["USER_ID"], clientId, http.RequestAborted);
            return Json(new Api.TokenDto(t.Token, t.ExpiresAt));
        });
    }
}
