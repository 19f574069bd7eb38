using GitpleLive.Server.Api;
using GitpleLive.Server.Services;
using GitpleLive.Server.Storage;

namespace GitpleLive.Server.Auth;

/// <summary>An authenticated SDK caller: the app and the user.</summary>
public sealed record SdkCaller(AppRow App, string UserId)
{
    public string AppId => App.AppId;
}

/// <summary>Authentication of both APIs, as endpoint filters on their route groups.</summary>
public static class AuthFilters
{
    private const string CallerKey = "gitplelive.caller";
    private const string AppKey = "gitplelive.app";

    public static SdkCaller Caller(this HttpContext context) =>
        (SdkCaller)(context.Items[CallerKey] ?? throw new InvalidOperationException("no SDK caller on this route"));

    public static AppRow PlatformApp(this HttpContext context) =>
        (AppRow)(context.Items[AppKey] ?? throw new InvalidOperationException("no platform app on this route"));

    /// <summary>SDK routes: <c>APP_ID</c>, <c>USER_ID</c> and a valid SDK token of that user; the user must exist.</summary>
    public static async ValueTask<object?> SdkAsync(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var http = ctx.HttpContext;
        var apps = http.RequestServices.GetRequiredService<AppService>();
        var app = await apps.RequireAsync(http.Request.Headers["APP_ID"], http.RequestAborted);
        string? userId = http.Request.Headers["USER_ID"];
        if (string.IsNullOrEmpty(userId)) throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "missing USER_ID header");
        var token = BearerToken(http);
        if (token is null) throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "missing Authorization: Bearer token");
        if (!TokenService.IsValidSdkToken(app, userId, token))
            throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "invalid or expired token");
        var users = http.RequestServices.GetRequiredService<UserService>();
        if (!await users.ExistsAsync(app.AppId, userId, http.RequestAborted))
            throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "invalid or expired token: user no longer exists");
        http.Items[CallerKey] = new SdkCaller(app, userId);
        return await next(ctx);
    }

    /// <summary>Platform routes: <c>APP_ID</c> and that app's <c>APP_API_KEY</c>.</summary>
    public static async ValueTask<object?> PlatformAsync(EndpointFilterInvocationContext ctx, EndpointFilterDelegate next)
    {
        var http = ctx.HttpContext;
        var apps = http.RequestServices.GetRequiredService<AppService>();
        var app = await apps.RequireAsync(http.Request.Headers["APP_ID"], http.RequestAborted);
        string? key = http.Request.Headers["APP_API_KEY"];
        if (string.IsNullOrEmpty(key) || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(key), System.Text.Encoding.UTF8.GetBytes(app.ApiKey)))
            throw ApiException.Unauthorized(ErrorCodes.UnauthorizedApplication, "missing or wrong APP_API_KEY");
        http.Items[AppKey] = app;
        return await next(ctx);
    }

    public static string? BearerToken(HttpContext http)
    {
        string? auth = http.Request.Headers.Authorization;
        if (auth is null || !auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var token = auth[7..].Trim();
        return token.Length == 0 ? null : token;
    }
}
