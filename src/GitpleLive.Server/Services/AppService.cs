using System.Security.Cryptography;

namespace GitpleLive.Server.Services;

/// <summary>Apps (tenants): lookup with a small cache, creation, and settings.</summary>
public sealed class AppService(ChatStore store, ChatServerOptions options, TimeProvider time, AppCache cache, IServiceProvider services)
{
    // Apps change rarely and every call needs one: they are cached, and a change on any node makes every node
    // forget the app (a node event). The publisher is resolved on first use: sinks may depend on this service.
    private IEventPublisher Events => services.GetRequiredService<IEventPublisher>();

    public async ValueTask<AppRow?> FindAsync(string appId, CancellationToken cancellationToken = default)
    {
        if (cache.TryGet(appId, out var app)) return app;
        app = await store.ReadAsync(db => db.Apps.AsNoTracking().FirstOrDefaultAsync(a => a.AppId == appId, cancellationToken),
            cancellationToken);
        if (app is not null) cache.Remember(app);
        return app;
    }

    /// <summary>The app named by the <c>APP_ID</c> header, or 4003.</summary>
    public async ValueTask<AppRow> RequireAsync(string? appId, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(appId))
            throw ApiException.Unauthorized(ErrorCodes.UnauthorizedApplication, "missing APP_ID header");
        if (appId.Length > 64) throw ApiException.Unauthorized(ErrorCodes.UnauthorizedApplication, "unknown APP_ID");
        return await FindAsync(appId, cancellationToken)
            ?? throw ApiException.Unauthorized(ErrorCodes.UnauthorizedApplication, "unknown APP_ID");
    }

    public async Task<AppRow> CreateAsync(string? appId, string name, string? apiKey, bool allowTokenless,
        CancellationToken cancellationToken = default)
    {
        var app = new AppRow
        {
            AppId = appId ?? Guid.NewGuid().ToString("D").ToUpperInvariant(),
            Name = name,
            ApiKey = apiKey ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)),
            TokenSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            AllowTokenless = allowTokenless,
            CreatedAt = time.NowMs(),
        };
        await store.WriteAsync(async db =>
        {
            if (await db.Apps.AnyAsync(a => a.AppId == app.AppId, cancellationToken))
                throw ApiException.Invalid(ErrorCodes.DuplicateId, $"app '{app.AppId}' already exists");
            db.Apps.Add(app);
        }, cancellationToken);
        cache.Remember(app);
        return app;
    }

    /// <summary>
    /// Platform API: changes the caller's app settings (PUT /v1/app). The fields' ranges are the
    /// request parser's; the rules between and within fields are checked here, all before anything is stored.
    /// </summary>
    public Task<AppRow> UpdateSettingsAsync(ChatCaller caller, AppSettingsChange change, CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        CheckProfanityMode(change.ProfanityMode);
        var words = change.ProfanityWords;
        if (words is { Count: > ProfanityFilter.MaxWords })
            throw ApiException.BadRequest($"profanity_words must have at most {ProfanityFilter.MaxWords} entries");
        if (words is not null && words.Any(w => w.Contains('\n') || string.IsNullOrWhiteSpace(w)))
            throw ApiException.BadRequest("profanity_words entries must be non-blank single lines");
        return UpdateAsync(caller.AppId, a =>
        {
            if (change.MaxMembersPerChannel is { } m) a.MaxMembersPerChannel = (int)m;
            if (change.MaxParticipantsPerOpenChannel is { } op) a.MaxParticipantsPerOpenChannel = (int)op;
            if (change.MaxManagersPerChannel is { } mg) a.MaxManagersPerChannel = (int)mg;
            if (change.MaxFileSize is { } f) a.MaxFileSize = f;
            if (change.MaxMetaKeys is { } k) a.MaxMetaKeys = (int)k;
            if (change.AllowTokenless is { } t) a.AllowTokenless = t;
            if (change.Name is not null) a.Name = change.Name;
            if (change.ProfanityMode is not null) a.ProfanityMode = change.ProfanityMode;
            if (change.RateLimits is { } limits)
            {
                var map = RateLimiting.ChatRateLimiter.Parse(a.RateLimits);
                foreach (var (name, value) in limits)
                    if (value is { } v) map[name] = v;
                    else map.Remove(name);
                a.RateLimits = RateLimiting.ChatRateLimiter.Format(map);
            }
            if (words is not null) a.ProfanityWords = words.Count == 0 ? null : string.Join('\n', words.Select(w => w.Trim()));
        }, cancellationToken);
    }

    /// <summary>
    /// 400 unless the mode is one of <see cref="ProfanityFilter.Modes"/>. PUT /v1/app checks it before reading
    /// <c>profanity_words</c> too, so a bad mode is the error it answers first.
    /// </summary>
    public static void CheckProfanityMode(string? mode)
    {
        if (mode is not null && !ProfanityFilter.Modes.Contains(mode))
            throw ApiException.BadRequest("profanity_mode must be one of off, block, mask");
    }

    /// <summary>Applies <paramref name="change"/> to the app's settings and stores them.</summary>
    private async Task<AppRow> UpdateAsync(string appId, Action<AppRow> change, CancellationToken cancellationToken = default)
    {
        var updated = await store.WriteAsync(async db =>
        {
            var app = await db.Apps.FirstOrDefaultAsync(a => a.AppId == appId, cancellationToken)
                ?? throw ApiException.NotFound(ErrorCodes.ResourceNotFound, $"app '{appId}' not found");
            change(app);
            return app;
        }, cancellationToken);
        cache.Remember(updated);
        // Every other node forgets its copy. The change is stored: a failure to tell them is logged by the publisher,
        // and their copies expire on their own.
        await Events.PublishAsync([AppCache.Changed(appId)], cancellationToken);
        return updated;
    }

    /// <summary>
    /// Platform API: replaces the caller's app API key (POST /v1/app/api_key) and returns the new one, the only time
    /// it is shown. The old key stops working at once; SDK tokens are not affected.
    /// </summary>
    public async Task<string> RotateApiKeyAsync(ChatCaller caller, CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await UpdateAsync(caller.AppId, a => a.ApiKey = key, cancellationToken);
        return key;
    }

    /// <summary>
    /// Platform API: deletes the caller's app (DELETE /v1/app) with everything in it (users, channels, members,
    /// messages, bans, reports) in one transaction; returns the stored file keys of its messages, for the caller
    /// to remove from the file store.
    /// </summary>
    public async Task<List<string>> DeleteAsync(ChatCaller caller, CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        var appId = caller.AppId;
        var ct = cancellationToken;
        var files = await store.WriteAsync(async db =>
        {
            var keys = await db.Messages.Where(m => m.AppId == appId && m.FileKey != null).Select(m => m.FileKey!).ToListAsync(ct);
            await db.DeviceTokens.Where(x => x.AppId == appId).ExecuteDeleteAsync(ct);
            await Push.PushSettingsService.DeleteAppAsync(db, appId, ct);
            await db.ModerationActions.Where(x => x.AppId == appId).ExecuteDeleteAsync(ct);
            await db.ConsoleSessions.Where(x => x.AppId == appId).ExecuteDeleteAsync(ct);
            await db.WebhookDeliveries.Where(x => x.AppId == appId).ExecuteDeleteAsync(ct);
            await db.WebhookInbox.Where(x => x.AppId == appId).ExecuteDeleteAsync(ct);
            await db.WebhookSettings.Where(x => x.AppId == appId).ExecuteDeleteAsync(ct);
            await db.Reports.Where(x => x.AppId == appId).ExecuteDeleteAsync(ct);
            await db.Bans.Where(x => x.AppId == appId).ExecuteDeleteAsync(ct);
            await db.OpenManagers.Where(x => x.AppId == appId).ExecuteDeleteAsync(ct);
            await db.Reactions.Where(x => x.AppId == appId).ExecuteDeleteAsync(ct);
            await db.Messages.Where(x => x.AppId == appId).ExecuteDeleteAsync(ct);
            await db.Members.Where(x => x.AppId == appId).ExecuteDeleteAsync(ct);
            await db.Channels.Where(x => x.AppId == appId).ExecuteDeleteAsync(ct);
            await db.Users.Where(x => x.AppId == appId).ExecuteDeleteAsync(ct);
            if (await db.Apps.Where(x => x.AppId == appId).ExecuteDeleteAsync(ct) == 0)
                throw ApiException.Unauthorized(ErrorCodes.UnauthorizedApplication, "unknown APP_ID");
            return keys;
        }, ct);
        cache.Forget(appId);
        await Events.PublishAsync([AppCache.Changed(appId)], ct);
        return files;
    }

    public Task<List<AppRow>> ListAsync(CancellationToken cancellationToken = default) =>
        store.ReadAsync(db => db.Apps.OrderBy(a => a.CreatedAt).ToListAsync(cancellationToken), cancellationToken);

    /// <summary>
    /// On first start creates the default app (pinned by <c>GITPLELIVE_APP_ID</c>/<c>GITPLELIVE_API_KEY</c>
    /// when given) and returns it; returns null when nothing was created.
    /// </summary>
    public async Task<AppRow?> EnsureDefaultAppAsync(CancellationToken cancellationToken = default)
    {
        if (options.DefaultAppId is { Length: > 0 } pinned)
        {
            var existing = await FindAsync(pinned, cancellationToken);
            if (existing is not null)
            {
                if (options.DefaultApiKey is { Length: > 0 } key && existing.ApiKey != key)
                    await UpdateAsync(pinned, a => a.ApiKey = key, cancellationToken);
                if (existing.AllowTokenless != options.DefaultAppAllowTokenless && options.DefaultAppAllowTokenless)
                    await UpdateAsync(pinned, a => a.AllowTokenless = true, cancellationToken);
                return null;
            }
            return await CreateAsync(pinned, "default", options.DefaultApiKey, options.DefaultAppAllowTokenless, cancellationToken);
        }
        var any = await store.ReadAsync(db => db.Apps.AnyAsync(cancellationToken), cancellationToken);
        return any ? null : await CreateAsync(null, "default", options.DefaultApiKey, options.DefaultAppAllowTokenless, cancellationToken);
    }
}
