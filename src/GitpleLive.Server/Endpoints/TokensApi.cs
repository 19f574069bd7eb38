using GitpleLive.Server.RateLimiting;
using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>PROTOCOL §4 and §8: session tokens for app backends, SDK tokens for SDK users.</summary>
public static class TokensApi
{
    /// <summary>The two SDK calls that come before an SDK token exists, on the unauthenticated <c>/v1/sdk/users</c> group.</summary>
    public static RouteGroupBuilder MapSdkTokens(this RouteGroupBuilder group)
    {
        // Token exchanges count per app and per USER_ID, once the app is known.
        group.AddEndpointFilter(async (invocation, next) =>
        {
            var http = invocation.HttpContext;
            var apps = http.RequestServices.GetRequiredService<AppService>();
            var app = await apps.RequireAsync(http.Request.Headers["APP_ID"], http.RequestAborted);
            string? userId = http.Request.Headers["USER_ID"];
            await http.RequestServices.GetRequiredService<ChatRateLimiter>()
                .CheckAsync(http, app, string.IsNullOrEmpty(userId) ? null : userId, RateLimitKind.Token);
            return await next(invocation);
        });
        group.MapPost("/token", async (HttpContext http, AppService apps, TokenService tokens, CancellationToken cancellationToken) =>
        {
            var app = await apps.RequireAsync(http.Request.Headers["APP_ID"], cancellationToken);
            await http.BodyAsync(); // must be a JSON object when present
            var t = await tokens.ExchangeAsync(app, http.Request.Headers["USER_ID"], AuthFilters.BearerToken(http), cancellationToken);
            return TypedResults.Ok(new TokenDto(t.Token, t.ExpiresAt));
        });

        group.MapPost("/token/by_client_id", async (HttpContext http, AppService apps, TokenService tokens,
            CancellationToken cancellationToken) =>
        {
            var app = await apps.RequireAsync(http.Request.Headers["APP_ID"], cancellationToken);
            var body = await http.BodyAsync();
            var clientId = body.OptionalString("clientId", 512) ?? body.OptionalString("client_id", 512);
            var t = await tokens.ExchangeByClientIdAsync(app, http.Request.Headers["USER_ID"], clientId, cancellationToken);
            return TypedResults.Ok(new TokenDto(t.Token, t.ExpiresAt));
        });

        return group;
    }

    /// <summary>The Platform API's session tokens, on its <c>/users</c> group.</summary>
    public static RouteGroupBuilder MapPlatformTokens(this RouteGroupBuilder group)
    {
        group.MapPost("/{userId}/token", async (HttpContext http, string userId, ChatCaller caller, TokenService tokens,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            var t = await tokens.IssueSessionTokenAsync(caller, Id("user_id", userId), body.OptionalLong("expires_at", 0, long.MaxValue),
                cancellationToken);
            return TypedResults.Ok(new TokenDto(t.Token, t.ExpiresAt));
        });

        // Revokes the user's session tokens issued so far (and the SDK tokens minted from them).
        group.MapDelete("/{userId}/token", async (string userId, ChatCaller caller, TokenService tokens,
            CancellationToken cancellationToken) =>
        {
            await tokens.RevokeSessionsAsync(caller, Id("user_id", userId), cancellationToken);
            return Done();
        });

        return group;
    }
}
