using System.Security.Cryptography;
using System.Text;
using GitpleLive.Server.RateLimiting;

namespace GitpleLive.Server.Auth;

/// <summary>
/// Authentication of both APIs, as endpoint filter factories on their route groups. Parameter binding
/// runs before filters, so a handler's <see cref="ChatCaller"/> argument starts as
/// <see cref="ChatCaller.Unauthenticated"/> and the filter replaces it with the authenticated caller.
/// </summary>
public static class AuthFilters
{
    /// <summary>SDK routes: <c>APP_ID</c>, <c>USER_ID</c> and a valid SDK token of that user; the user must exist.</summary>
    public static TBuilder RequireSdkUser<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((context, next) => Authenticating(context, next, SdkAsync));

    /// <summary>Platform routes: <c>APP_ID</c> and that app's <c>APP_API_KEY</c>, or a console session (cookie + CSRF token).</summary>
    public static TBuilder RequirePlatform<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilterFactory((context, next) => Authenticating(context, next, PlatformAsync));

    private static EndpointFilterDelegate Authenticating(
        EndpointFilterFactoryContext context, EndpointFilterDelegate next, Func<HttpContext, ValueTask<ChatCaller>> authenticate)
    {
        var index = Array.FindIndex(context.MethodInfo.GetParameters(), p => p.ParameterType == typeof(ChatCaller));
        return async invocation =>
        {
            var http = invocation.HttpContext;
            var caller = await authenticate(http);
            await http.RequestServices.GetRequiredService<ChatRateLimiter>()
                .CheckAsync(http, caller.App, caller.IsPlatform ? null : caller.UserId, ChatRateLimiter.KindOf(http.Request));
            if (index >= 0) invocation.Arguments[index] = caller;
            return await next(invocation);
        };
    }

    private static async ValueTask<ChatCaller> SdkAsync(HttpContext http)
    {
        var apps = http.RequestServices.GetRequiredService<AppService>();
        var app = await apps.RequireAsync(http.Request.Headers["APP_ID"], http.RequestAborted);
        string? userId = http.Request.Headers["USER_ID"];
        if (string.IsNullOrEmpty(userId)) throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "missing USER_ID header");
        var token = BearerToken(http);
        if (token is null) throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "missing Authorization: Bearer token");
        if (!http.RequestServices.GetRequiredService<TokenService>().IsValidSdkToken(app, userId, token))
            throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "invalid or expired token");
        var users = http.RequestServices.GetRequiredService<UserService>();
        if (!await users.ExistsAsync(ChatCaller.Platform(app), userId, http.RequestAborted))
            throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "invalid or expired token: user no longer exists");
        return ChatCaller.User(app, userId);
    }

    private static async ValueTask<ChatCaller> PlatformAsync(HttpContext http)
    {
        string? key = http.Request.Headers["APP_API_KEY"];
        // The operator console's way in: its session cookie and CSRF token instead of the key (Console/ConsoleSessions.cs).
        if (string.IsNullOrEmpty(key) && http.Request.Cookies.ContainsKey(OperatorConsole.ConsoleSessions.CookieName))
            return await http.RequestServices.GetRequiredService<OperatorConsole.ConsoleSessions>().AuthenticatePlatformAsync(http);
        var apps = http.RequestServices.GetRequiredService<AppService>();
        var app = await apps.RequireAsync(http.Request.Headers["APP_ID"], http.RequestAborted);
        if (string.IsNullOrEmpty(key) || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key),
            Encoding.UTF8.GetBytes(app.ApiKey)))
            throw ApiException.Unauthorized(ErrorCodes.UnauthorizedApplication, "missing or wrong APP_API_KEY");
        return ChatCaller.Platform(app);
    }

    public static string? BearerToken(HttpContext http)
    {
        string? auth = http.Request.Headers.Authorization;
        if (auth is null || !auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var token = auth[7..].Trim();
        return token.Length == 0 ? null : token;
    }
}
