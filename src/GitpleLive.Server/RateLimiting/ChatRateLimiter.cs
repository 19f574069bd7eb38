using System.Globalization;
using System.Runtime.CompilerServices;

namespace GitpleLive.Server.RateLimiting;

/// <summary>
/// Applies the limits of <see cref="RateLimitOptions"/> (or the app's overrides) to one call, per app and per user,
/// after the caller is authenticated (so nobody spends another app's or user's budget). Over a limit: 429, 9001
/// and <c>Retry-After</c>.
/// </summary>
public sealed class ChatRateLimiter(RateLimitOptions options, IRateLimitStore store)
{
    private static readonly ConditionalWeakTable<AppRow, Dictionary<string, int>> Parsed = new();

    // Each kind's name and its two setting names, built once rather than concatenated on every call.
    private static readonly (string Name, string PerApp, string PerUser) Sends = Kind("sends");
    private static readonly (string Name, string PerApp, string PerUser) Tokens = Kind("tokens");
    private static readonly (string Name, string PerApp, string PerUser) Reads = Kind("reads");
    private static readonly (string Name, string PerApp, string PerUser) Writes = Kind("writes");

    private static (string, string, string) Kind(string name) => (name, name + "_per_app", name + "_per_user");

    /// <summary>What a request counts as: a message send, a token call, a read (GET) or another write.</summary>
    public static RateLimitKind KindOf(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        if (HttpMethods.IsPost(request.Method) && path.EndsWith("/messages", StringComparison.Ordinal)) return RateLimitKind.Send;
        if (path.Contains("/token", StringComparison.Ordinal)) return RateLimitKind.Token;
        return HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) ? RateLimitKind.Read : RateLimitKind.Write;
    }

    /// <summary>Counts the call; throws 429/9001 (with <c>Retry-After</c> on the answer) when it is over a limit.</summary>
    public async ValueTask CheckAsync(HttpContext http, AppRow app, string? userId, RateLimitKind kind)
    {
        if (!options.Enabled) return;
        var (name, perAppSetting, perUserSetting) = kind switch
        {
            RateLimitKind.Send => Sends,
            RateLimitKind.Token => Tokens,
            RateLimitKind.Read => Reads,
            _ => Writes,
        };
        var window = options.Window;
        var perApp = Limit(app, perAppSetting);
        if (perApp > 0 && await store.HitAsync($"{app.AppId}:{name}", perApp, window, http.RequestAborted) is { } appWait)
            throw Refuse(http, appWait, $"too many {name} for app '{app.AppId}' (limit {perApp} per {window.TotalSeconds:0.##} s)");
        if (userId is null) return;
        var perUser = Limit(app, perUserSetting);
        if (perUser > 0 && await store.HitAsync($"{app.AppId}:{name}:u:{userId}", perUser, window, http.RequestAborted) is { } userWait)
            throw Refuse(http, userWait, $"too many {name} for user '{userId}' (limit {perUser} per {window.TotalSeconds:0.##} s)");
    }

    private int Limit(AppRow app, string name) => Overrides(app).TryGetValue(name, out var v) ? v : options.Default(name);

    /// <summary>The app's overrides, from <see cref="AppRow.RateLimits"/> (<c>name=value;…</c>).</summary>
    public static Dictionary<string, int> Overrides(AppRow app) => Parsed.GetValue(app, a => Parse(a.RateLimits));

    internal static Dictionary<string, int> Parse(string? text)
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(text)) return map;
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var pieces = part.Split('=', 2);
            var (name, value) = (pieces[0], pieces.ElementAtOrDefault(1));
            if (RateLimitOptions.Names.Contains(name) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                map[name] = n;
        }
        return map;
    }

    internal static string? Format(IReadOnlyDictionary<string, int> map) =>
        map.Count == 0 ? null : string.Join(';', map.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));

    private static ApiException Refuse(HttpContext http, TimeSpan wait, string message)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        // Set as the answer starts: the error handler clears headers before it writes the error body.
        http.Response.OnStarting(() =>
        {
            if (http.Response.StatusCode == StatusCodes.Status429TooManyRequests)
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        });
        return new ApiException(ErrorCodes.TooManyRequests, StatusCodes.Status429TooManyRequests, message + $"; retry in {seconds} s");
    }
}
