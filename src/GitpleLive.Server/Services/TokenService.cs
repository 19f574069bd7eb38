using GitpleLive.Server.Api;
using GitpleLive.Server.Auth;
using GitpleLive.Server.Events;
using GitpleLive.Server.Hosting;
using GitpleLive.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace GitpleLive.Server.Services;

/// <summary>Session tokens (for app backends to hand out) and SDK tokens (what every SDK call carries).</summary>
public sealed class TokenService(ChatServerOptions options, IPresence presence, UserService users, TimeProvider time)
{
    public const string SessionKind = "session";
    public const string SdkKind = "sdk";

    public sealed record TokenResult(string Token, long ExpiresAt);

    private static byte[] Secret(AppRow app) => Convert.FromBase64String(app.TokenSecret);

    /// <summary>Platform API: a session token for an existing user.</summary>
    public async Task<TokenResult> IssueSessionTokenAsync(ChatCaller caller, string userId, long? expiresAt,
        CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        var app = caller.App;
        var now = time.NowMs();
        var exp = expiresAt ?? now + (long)TimeSpan.FromDays(7).TotalMilliseconds;
        if (exp <= now) throw ApiException.BadRequest("expires_at must be in the future (Unix time in milliseconds)");
        await users.RequireAsync(caller, userId, cancellationToken);
        return new TokenResult(Jwt.Create(new Jwt.Claims(userId, app.AppId, SessionKind, now, exp), Secret(app)), exp);
    }

    /// <summary>
    /// SDK: exchanges a session token (or a still-valid SDK token, to refresh) for a new SDK token.
    /// This is where an SDK caller comes from, so it takes the app named by <c>APP_ID</c>, not a caller.
    /// </summary>
    public async Task<TokenResult> ExchangeAsync(AppRow app, string? userId, string? bearer, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(userId)) throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "missing USER_ID header");
        if (string.IsNullOrEmpty(bearer)) throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "missing Authorization: Bearer token");
        var now = time.NowMs();
        var claims = Jwt.Validate(bearer, Secret(app), SessionKind, now) ?? Jwt.Validate(bearer, Secret(app), SdkKind, now);
        if (claims is null || claims.AppId != app.AppId || claims.UserId != userId)
            throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "invalid or expired token");
        if (!await users.ExistsAsync(ChatCaller.Platform(app), userId, cancellationToken))
            throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "invalid or expired token");
        return IssueSdkToken(app, userId, now);
    }

    /// <summary>Tokenless users (PROTOCOL §4): a token for the user whose MQTT client id is connected now.</summary>
    public async Task<TokenResult> ExchangeByClientIdAsync(AppRow app, string? userId, string? clientId,
        CancellationToken cancellationToken = default)
    {
        if (!app.AllowTokenless) throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "this app does not allow tokenless users");
        if (string.IsNullOrEmpty(userId)) throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "missing USER_ID header");
        if (string.IsNullOrEmpty(clientId)) throw ApiException.BadRequest("clientId is required");
        if (!await presence.IsClientConnectedAsync(app.AppId, userId, clientId, cancellationToken))
            throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "clientId is not connected as this user");
        await users.EnsureAsync(ChatCaller.Platform(app), userId, cancellationToken);
        return IssueSdkToken(app, userId, time.NowMs());
    }

    private TokenResult IssueSdkToken(AppRow app, string userId, long now)
    {
        var exp = now + (long)options.SdkTokenLifetime.TotalMilliseconds;
        return new TokenResult(Jwt.Create(new Jwt.Claims(userId, app.AppId, SdkKind, now, exp), Secret(app)), exp);
    }

    /// <summary>Signature, expiry, app and user of an SDK token (no store access).</summary>
    public bool IsValidSdkToken(AppRow app, string userId, string token) =>
        Jwt.Validate(token, Secret(app), SdkKind, time.NowMs()) is { } c && c.AppId == app.AppId && c.UserId == userId;
}
