using System.Security.Cryptography;
using System.Text;
using GitpleLive.Server.RateLimiting;

namespace GitpleLive.Server.OperatorConsole;

/// <summary>A console session as a request sees it.</summary>
public sealed record ConsoleSession(string SessionHash, string? AppId, string CsrfToken, long ExpiresAt)
{
    public bool IsAdmin => AppId is null;

    /// <summary>Who acts, as moderation records name it.</summary>
    public string Actor => IsAdmin ? "admin" : "console";
}

/// <summary>
/// Console sign-in, sessions and their checks. A session is a random id in an HttpOnly, SameSite=Strict cookie; the
/// store keeps its SHA-256, its app (none for the admin), the hash of the API key it signed in with, its CSRF token
/// and its expiry, so any node accepts it and signing out (or rotating the app's key) ends it everywhere.
/// </summary>
public sealed class ConsoleSessions(ChatStore store, ConsoleOptions options, AppService apps, IRateLimitStore limits,
    TimeProvider time)
{
    public const string CookieName = "gitplelive_console";
    public const string CsrfHeader = "X-CSRF-Token";
    private const string ItemKey = "gitplelive.console.session";

    /// <summary>A new session and the cookie value that names it.</summary>
    public sealed record SignedIn(ConsoleSession Session, string CookieValue);

    /// <summary>
    /// Signs in with an app's id and API key, or with the admin key (<paramref name="appId"/> null). Every attempt counts
    /// against the client address and app: over <see cref="ConsoleOptions.SignInAttempts"/> in the window answers
    /// 429/9001 with <c>Retry-After</c>, right key or not. A wrong key answers 401 naming what was wrong.
    /// </summary>
    public async Task<SignedIn> SignInAsync(HttpContext http, string? appId, string? apiKey, string? adminKey,
        CancellationToken cancellationToken = default)
    {
        var admin = appId is null;
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var subject = admin ? "admin" : "app:" + appId;
        if (await limits.HitAsync($"console-signin:{address}:{subject}", options.SignInAttempts, options.SignInWindow,
                cancellationToken) is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            http.Response.OnStarting(() =>
            {
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Task.CompletedTask;
            });
            throw new ApiException(ErrorCodes.TooManyRequests, StatusCodes.Status429TooManyRequests,
                $"too many sign-in attempts; try again in {seconds} s");
        }

        string? keyHash = null;
        if (admin)
        {
            if (string.IsNullOrEmpty(options.AdminKey))
                throw ApiException.Unauthorized(ErrorCodes.Unauthorized,
                    "admin sign-in is off on this server (GitpleLive:Console:AdminKey)");
            if (string.IsNullOrEmpty(adminKey) || !SameSecret(adminKey, options.AdminKey))
                throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "wrong admin key");
        }
        else
        {
            var app = appId!.Length <= 64 ? await apps.FindAsync(appId, cancellationToken) : null;
            // The same answer for an unknown app and a wrong key: the form does not tell which app ids exist.
            if (app is null || string.IsNullOrEmpty(apiKey) || !SameSecret(apiKey, app.ApiKey))
                throw ApiException.Unauthorized(ErrorCodes.UnauthorizedApplication, "wrong APP_ID or APP_API_KEY");
            keyHash = Hash(app.ApiKey);
        }

        var id = Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = time.NowMs();
        var row = new ConsoleSessionRow
        {
            SessionHash = Hash(id), AppId = appId, KeyHash = keyHash, CsrfToken = Base64Url(RandomNumberGenerator.GetBytes(24)),
            CreatedAt = now, ExpiresAt = now + (long)options.SessionLifetime.TotalMilliseconds,
        };
        await store.WriteAsync(async db =>
        {
            // Sign-ins tidy what has expired: the table holds live sessions only, give or take.
            await db.ConsoleSessions.Where(s => s.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
            db.ConsoleSessions.Add(row);
        }, cancellationToken);
        return new SignedIn(new ConsoleSession(row.SessionHash, appId, row.CsrfToken, row.ExpiresAt), id);
    }

    /// <summary>The request's live session, or null (no cookie, unknown, expired, or its app's key has changed).</summary>
    public async Task<ConsoleSession?> FindAsync(HttpContext http, CancellationToken cancellationToken = default)
    {
        if (http.Items.TryGetValue(ItemKey, out var known)) return (ConsoleSession?)known;
        ConsoleSession? session = null;
        if (http.Request.Cookies.TryGetValue(CookieName, out var id) && id is { Length: > 0 and <= 64 })
        {
            var hash = Hash(id);
            var now = time.NowMs();
            var row = await store.ReadAsync(db => db.ConsoleSessions.AsNoTracking().FirstOrDefaultAsync(s => s.SessionHash == hash,
                cancellationToken), cancellationToken);
            if (row is not null && row.ExpiresAt > now && await KeyStillValidAsync(row, cancellationToken))
                session = new ConsoleSession(row.SessionHash, row.AppId, row.CsrfToken, row.ExpiresAt);
        }
        http.Items[ItemKey] = session;
        return session;
    }

    private async Task<bool> KeyStillValidAsync(ConsoleSessionRow row, CancellationToken cancellationToken)
    {
        if (row.AppId is null) return !string.IsNullOrEmpty(options.AdminKey);
        var app = await apps.FindAsync(row.AppId, cancellationToken);
        return app is not null && row.KeyHash is not null && SameSecret(Hash(app.ApiKey), row.KeyHash);
    }

    /// <summary>Whether the session still exists (not signed out, not expired, its app's key unchanged).</summary>
    public async Task<bool> IsLiveAsync(ConsoleSession session, CancellationToken cancellationToken = default)
    {
        var now = time.NowMs();
        var hash = session.SessionHash;
        var row = await store.ReadAsync(db => db.ConsoleSessions.AsNoTracking().FirstOrDefaultAsync(s => s.SessionHash == hash,
            cancellationToken), cancellationToken);
        return row is not null && row.ExpiresAt > now && await KeyStillValidAsync(row, cancellationToken);
    }

    /// <summary>The session, or 4001: the console's own routes need one.</summary>
    public async Task<ConsoleSession> RequireAsync(HttpContext http, bool stateChanging, CancellationToken cancellationToken = default)
    {
        var session = await FindAsync(http, cancellationToken)
            ?? throw ApiException.Unauthorized(ErrorCodes.Unauthorized, "not signed in to the console (or the session has ended)");
        if (stateChanging) RequireCsrf(http, session);
        return session;
    }

    /// <summary>
    /// The Platform API's second way in (after <c>APP_ID</c> + <c>APP_API_KEY</c>): a console session cookie, its CSRF
    /// token in <c>X-CSRF-Token</c> on every request that changes something, and <c>APP_ID</c> (header, or the
    /// <c>app_id</c> query for an EventSource) naming the session's app — any app for an admin session.
    /// </summary>
    public async Task<ChatCaller> AuthenticatePlatformAsync(HttpContext http)
    {
        var method = http.Request.Method;
        var session = await RequireAsync(http, !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method)), http.RequestAborted);
        string? appId = http.Request.Headers["APP_ID"];
        if (string.IsNullOrEmpty(appId)) appId = http.Request.Query["app_id"];
        var app = await apps.RequireAsync(appId, http.RequestAborted);
        if (!session.IsAdmin && session.AppId != app.AppId)
            throw ApiException.Unauthorized(ErrorCodes.UnauthorizedApplication, "this console session is not signed in to that app");
        return ChatCaller.Platform(app);
    }

    private static void RequireCsrf(HttpContext http, ConsoleSession session)
    {
        string? token = http.Request.Headers[CsrfHeader];
        if (string.IsNullOrEmpty(token) || !SameSecret(token, session.CsrfToken))
            throw ApiException.Forbidden(ErrorCodes.NoPermission, $"missing or wrong {CsrfHeader} header");
    }

    /// <summary>Ends the session on every node.</summary>
    public Task SignOutAsync(ConsoleSession session, CancellationToken cancellationToken = default) =>
        store.WriteAsync(db => db.ConsoleSessions.Where(s => s.SessionHash == session.SessionHash).ExecuteDeleteAsync(cancellationToken),
            cancellationToken);

    /// <summary>Sets the session cookie: HttpOnly, SameSite=Strict, path /, Secure when the request came over HTTPS.</summary>
    public static void SetCookie(HttpContext http, string value, long expiresAt) =>
        http.Response.Cookies.Append(CookieName, value, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            // After UseForwardedHeaders: a TLS proxy in front (X-Forwarded-Proto from a known proxy) counts as HTTPS.
            Secure = http.Request.IsHttps,
            Expires = DateTimeOffset.FromUnixTimeMilliseconds(expiresAt),
            IsEssential = true,
        });

    public static void ClearCookie(HttpContext http) =>
        http.Response.Cookies.Delete(CookieName, new CookieOptions
        {
            HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", Secure = http.Request.IsHttps,
        });

    private static bool SameSecret(string given, string expected) =>
        // Hashed first so the comparison takes the same time whatever the lengths.
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static string Hash(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
