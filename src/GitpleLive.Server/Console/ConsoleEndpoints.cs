using GitpleLive.Server.Endpoints;

namespace GitpleLive.Server.OperatorConsole;

/// <summary>
/// The operator console at <c>/console</c>: its page and files, and the few calls the Platform API lacks — sign-in and
/// sign-out, the session, the app list, live stats, a channel's live message stream and the moderation queue. Every
/// other console action is a Platform API call (<c>/v1/...</c>) authenticated by the console session
/// (<see cref="ConsoleSessions.AuthenticatePlatformAsync"/>), so the console follows the Platform API's rules.
/// </summary>
public static class ConsoleEndpoints
{
    /// <summary>The page's policy: only our own script, styles and calls; no frames, no plug-ins, no inline code.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static void MapConsole(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<ConsoleOptions>().Enabled) return;
        app.Use((http, next) =>
        {
            if (http.Request.Path.StartsWithSegments("/console", StringComparison.Ordinal))
                http.Response.OnStarting(() =>
                {
                    var h = http.Response.Headers;
                    h.ContentSecurityPolicy = ContentSecurityPolicy;
                    h.XFrameOptions = "DENY";
                    h["Referrer-Policy"] = "no-referrer";
                    if (!http.Request.Path.StartsWithSegments("/console/assets", StringComparison.Ordinal)
                        && http.Response.Headers.CacheControl.Count == 0)
                        h.CacheControl = "no-store";
                    return Task.CompletedTask;
                });
            return next(http);
        });

        // Routing treats "/console/" as "/console": one route serves both.
        app.MapGet("/console", (HttpContext http, ConsoleAssets assets) => assets.Serve(http, "index.html"));
        app.MapGet("/console/assets/{file}", (HttpContext http, string file, ConsoleAssets assets) => assets.Serve(http, file));

        var api = app.MapGroup("/console/api");
        MapSession(api);

        api.MapGet("/apps", async (HttpContext http, ConsoleSessions sessions, AppService apps, CancellationToken cancellationToken) =>
        {
            var session = await sessions.RequireAsync(http, stateChanging: false, cancellationToken);
            var all = session.IsAdmin
                ? await apps.ListAsync(cancellationToken)
                : [await apps.RequireAsync(session.AppId, cancellationToken)];
            return TypedResults.Ok(new ConsoleAppList(all.Select(a => new ConsoleApp(a.AppId, a.Name)).ToList()));
        });

        // Server-wide, like /metrics (which is public): the figures of this node.
        api.MapGet("/stats", async (HttpContext http, ConsoleSessions sessions, ConsoleStats stats, CancellationToken cancellationToken) =>
        {
            await sessions.RequireAsync(http, stateChanging: false, cancellationToken);
            return TypedResults.Ok(stats.Read());
        });

        // The app's own calls, behind the Platform API's filter: APP_API_KEY, or the console session + CSRF token.
        var platform = api.MapGroup("").RequirePlatform();
        platform.MapGet("/reports", async (HttpContext http, ChatCaller caller, ReportQueueService queue,
            CancellationToken cancellationToken) =>
            TypedResults.Ok(await queue.ListAsync(caller, http.Request.Int("limit", 20, 1, 100),
                http.Request.OneOf("report_type", ModerationService.Types), http.Request.String("next", 600), cancellationToken)));

        platform.MapPost("/reports/{reportId}/actions", async (HttpContext http, string reportId, ChatCaller caller,
            ReportQueueService queue, ConsoleSessions sessions, CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            var action = body.RequiredString("action", 16);
            var seconds = action == "ban_user" ? ChannelArgs.BanSeconds(body) : null;
            var session = await sessions.FindAsync(http, cancellationToken);
            var actor = http.Request.Headers.ContainsKey("APP_API_KEY") || session is null ? "api" : session.Actor;
            return TypedResults.Ok(await queue.ActAsync(caller, EndpointMap.Id("report_id", reportId), action, seconds, actor,
                cancellationToken));
        });

        platform.MapGet("/channels/{channelId}/stream", LiveStreamAsync);
    }

    private static void MapSession(RouteGroupBuilder api)
    {
        api.MapPost("/session", async (HttpContext http, ConsoleSessions sessions, CancellationToken cancellationToken) =>
        {
            RequireSameOrigin(http);
            if (!http.Request.HasFormContentType)
                throw ApiException.BadRequest("sign in with a form body (app_id and api_key, or admin_key)");
            var form = await http.Request.ReadFormAsync(cancellationToken);
            string? Field(string name) => form[name].ToString() is { Length: > 0 } v ? v.Trim() : null;
            var adminKey = Field("admin_key");
            var appId = Field("app_id");
            var apiKey = Field("api_key");
            if (adminKey is null)
            {
                if (appId is null) throw ApiException.BadRequest("app_id is required (or admin_key)");
                if (apiKey is null) throw ApiException.BadRequest("api_key is required");
            }
            var signedIn = await sessions.SignInAsync(http, adminKey is null ? appId : null, apiKey, adminKey, cancellationToken);
            ConsoleSessions.SetCookie(http, signedIn.CookieValue, signedIn.Session.ExpiresAt);
            return TypedResults.Ok(SessionInfo.From(signedIn.Session));
        }).DisableAntiforgery();

        api.MapGet("/session", async (HttpContext http, ConsoleSessions sessions, CancellationToken cancellationToken) =>
            TypedResults.Ok(SessionInfo.From(await sessions.RequireAsync(http, stateChanging: false, cancellationToken))));

        api.MapDelete("/session", async (HttpContext http, ConsoleSessions sessions, CancellationToken cancellationToken) =>
        {
            var session = await sessions.RequireAsync(http, stateChanging: true, cancellationToken);
            await sessions.SignOutAsync(session, cancellationToken);
            ConsoleSessions.ClearCookie(http);
            return EndpointMap.Done();
        });
    }

    /// <summary>
    /// Sign-in changes who the browser is: a form posted from another site (login CSRF) is refused. Browsers send
    /// <c>Origin</c> on every POST; clients that send none (scripts) are not browsers acting for someone else.
    /// </summary>
    private static void RequireSameOrigin(HttpContext http)
    {
        string? origin = http.Request.Headers.Origin;
        if (string.IsNullOrEmpty(origin)) return;
        var own = $"{http.Request.Scheme}://{http.Request.Host}";
        if (!string.Equals(origin, own, StringComparison.OrdinalIgnoreCase))
            throw ApiException.Forbidden(ErrorCodes.NoPermission, "sign-in must come from the console's own page");
    }

    /// <summary>
    /// Server-sent events of one channel: each event the channel's MQTT subscribers get (<c>event:</c> its category,
    /// <c>data:</c> its payload), a comment every 15 s to keep proxies from closing the stream, and a check of the
    /// console session each time, so a session signed out elsewhere stops its streams.
    /// </summary>
    private static async Task LiveStreamAsync(HttpContext http, string channelId, ChatCaller caller, ChannelService channels,
        ConsoleEventStream stream, ConsoleSessions sessions, IHostApplicationLifetime lifetime, CancellationToken requestAborted)
    {
        // Ends when the browser goes away or the server stops (a stream never holds up a shutdown).
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, lifetime.ApplicationStopping);
        var cancellationToken = ended.Token;
        channelId = EndpointMap.Id("channel_id", channelId);
        using var viewer = stream.Watch(caller.AppId, channelId);
        await channels.GetAsync(caller, channelId, cancellationToken);
        var session = http.Request.Headers.ContainsKey("APP_API_KEY") ? null : await sessions.FindAsync(http, cancellationToken);
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        await response.WriteAsync(": watching\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
        var reader = viewer.Events.Reader;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var beat = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                beat.CancelAfter(TimeSpan.FromSeconds(15));
                bool ready;
                try { ready = await reader.WaitToReadAsync(beat.Token); }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { ready = false; }
                if (!ready)
                {
                    if (session is not null && !await sessions.IsLiveAsync(session, cancellationToken)) return;
                    await response.WriteAsync(": still here\n\n", cancellationToken);
                }
                if (viewer.TakeGap()) await response.WriteAsync("event: gap\ndata: {}\n\n", cancellationToken);
                while (reader.TryRead(out var item))
                {
                    await response.WriteAsync($"event: {item.Category}\ndata: ", cancellationToken);
                    await response.Body.WriteAsync(item.Payload, cancellationToken);
                    await response.WriteAsync("\n\n", cancellationToken);
                }
                await response.Body.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The browser went away.
        }
    }
}

public sealed record ConsoleApp(string AppId, string Name);

public sealed record ConsoleAppList(IReadOnlyList<ConsoleApp> Apps);

/// <summary>What the page knows of its session: who it is and the CSRF token to send with every change.</summary>
public sealed record SessionInfo(string Kind, string? AppId, string CsrfToken, long ExpiresAt)
{
    public static SessionInfo From(ConsoleSession s) => new(s.IsAdmin ? "admin" : "app", s.AppId, s.CsrfToken, s.ExpiresAt);
}
