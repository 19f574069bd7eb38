namespace GitpleLive.Server.Services;

/// <summary>Session tokens (for app backends to hand out) and SDK tokens (what every SDK call carries).</summary>
public sealed class TokenService(ChatServerOptions options, IPresence presence, UserService users, ChatStore store, TimeProvider time)
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
    /// SDK: exchanges a session token (or an SDK token, to refresh) for a new SDK token. An SDK token is taken while
    /// valid, or past its expiry within the sleeping-phone grace (<see cref="AcceptsSdkToken"/>). The new token never
    /// outlives the session token at its origin. This is where an SDK caller comes from, so it takes the app named by
    /// <c>APP_ID</c>, not a caller.
    /// </summary>
    public async Task<TokenResult> ExchangeAsync(AppRow app, string? userId, string? bearer, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(userId)) throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "missing USER_ID header");
        if (string.IsNullOrEmpty(bearer)) throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "missing Authorization: Bearer token");
        var now = time.NowMs();
        Jwt.Claims? claims;
        long? sessionIssuedAt, sessionExpiresAt;
        if (Jwt.Validate(bearer, Secret(app), SessionKind, now) is { } session)
        {
            claims = session;
            (sessionIssuedAt, sessionExpiresAt) = (session.IssuedAt, session.ExpiresAt);
        }
        else
        {
            claims = Jwt.ValidateSignature(bearer, Secret(app), SdkKind) is { } sdk && AcceptsSdkToken(sdk, now) ? sdk : null;
            (sessionIssuedAt, sessionExpiresAt) = (claims?.SessionIssuedAt, claims?.SessionExpiresAt);
        }
        if (claims is null || claims.AppId != app.AppId || claims.UserId != userId)
            throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "invalid or expired token");
        if (!await IsLiveAsync(app, userId, sessionIssuedAt ?? claims.IssuedAt, cancellationToken))
            throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "invalid or expired token");
        return IssueSdkToken(app, userId, now, sessionIssuedAt, sessionExpiresAt);
    }

    /// <summary>
    /// MQTT CONNECT's password check: an SDK token of that user in that app, valid or within the sleeping-phone grace,
    /// whose session is not revoked, of a user who still exists.
    /// </summary>
    public async Task<bool> IsConnectableSdkTokenAsync(AppRow app, string userId, string token,
        CancellationToken cancellationToken = default)
    {
        var now = time.NowMs();
        if (Jwt.ValidateSignature(token, Secret(app), SdkKind) is not { } c || c.AppId != app.AppId || c.UserId != userId
            || !AcceptsSdkToken(c, now))
            return false;
        return await IsLiveAsync(app, userId, c.SessionIssuedAt ?? c.IssuedAt, cancellationToken);
    }

    /// <summary>
    /// The sleeping-phone rule: an SDK token is accepted while unexpired, or up to <see cref="ChatServerOptions.SdkTokenGrace"/>
    /// past its expiry when it names the session it came from (<c>siat</c>/<c>sexp</c>) and that session has not expired.
    /// Tokens without a session (tokenless users, tokens from before this rule) get no grace.
    /// </summary>
    private bool AcceptsSdkToken(Jwt.Claims sdk, long now) =>
        sdk.ExpiresAt > now
        || sdk.SessionExpiresAt is { } sessionEnd && sessionEnd > now
            && now < sdk.ExpiresAt + (long)options.SdkTokenGrace.TotalMilliseconds;

    /// <summary>The user exists and the session issued at <paramref name="sessionIssuedAt"/> has not been revoked.</summary>
    private Task<bool> IsLiveAsync(AppRow app, string userId, long sessionIssuedAt, CancellationToken cancellationToken) =>
        store.ReadAsync(db => db.Users.AnyAsync(u => u.AppId == app.AppId && u.UserId == userId
            && u.SessionsRevokedAt < sessionIssuedAt, cancellationToken), cancellationToken);

    /// <summary>
    /// Platform API: revokes every session token of the user issued until now, and the SDK tokens minted from them
    /// (refused at their next token exchange or MQTT CONNECT; a still-unexpired SDK token keeps working on REST calls
    /// until its own expiry). A session token issued afterwards works.
    /// </summary>
    public async Task RevokeSessionsAsync(ChatCaller caller, string userId, CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        var appId = caller.AppId;
        var now = time.NowMs();
        var changed = await store.WriteAsync(db => db.Users.Where(u => u.AppId == appId && u.UserId == userId)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.SessionsRevokedAt, now), cancellationToken), cancellationToken);
        if (changed == 0) throw ApiException.NotFound(ErrorCodes.UserNotFound, $"user '{userId}' not found");
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
        return IssueSdkToken(app, userId, time.NowMs(), null, null);
    }

    /// <summary>A new SDK token; one of a session never outlives it (its refreshes inherit the session's claims).</summary>
    private TokenResult IssueSdkToken(AppRow app, string userId, long now, long? sessionIssuedAt, long? sessionExpiresAt)
    {
        var exp = now + (long)options.SdkTokenLifetime.TotalMilliseconds;
        if (sessionExpiresAt is { } sessionEnd) exp = Math.Min(exp, sessionEnd);
        var claims = new Jwt.Claims(userId, app.AppId, SdkKind, now, exp, sessionIssuedAt, sessionExpiresAt);
        return new TokenResult(Jwt.Create(claims, Secret(app)), exp);
    }

    /// <summary>Signature, expiry, app and user of an SDK token (no store access).</summary>
    public bool IsValidSdkToken(AppRow app, string userId, string token) =>
        Jwt.Validate(token, Secret(app), SdkKind, time.NowMs()) is { } c && c.AppId == app.AppId && c.UserId == userId;
}
