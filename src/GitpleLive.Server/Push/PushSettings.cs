using System.Security.Cryptography;
using System.Text.Json;

namespace GitpleLive.Server.Push;

/// <summary>FCM HTTP v1: the Firebase project and its service account key (a secret).</summary>
public sealed record FcmSettings(string ProjectId, string ServiceAccountJson, string? Endpoint, string? TokenEndpoint)
{
    public const string DefaultEndpoint = "https://fcm.googleapis.com/v1/projects/{project_id}/messages:send";

    /// <summary>The send URL: the configured one (with <c>{project_id}</c> filled in) or Google's.</summary>
    public string SendUrl =>
        (Endpoint ?? DefaultEndpoint).Replace("{project_id}", Uri.EscapeDataString(ProjectId), StringComparison.Ordinal);
}

/// <summary>APNs token-based auth: team, key id and the .p8 key (a secret), the app's bundle id, sandbox or production.</summary>
public sealed record ApnsSettings(string TeamId, string KeyId, string BundleId, string P8Pem, bool Production, string? Endpoint)
{
    public const string ProductionEndpoint = "https://api.push.apple.com";
    public const string SandboxEndpoint = "https://api.sandbox.push.apple.com";

    public string BaseUrl => (Endpoint ?? (Production ? ProductionEndpoint : SandboxEndpoint)).TrimEnd('/');
}

/// <summary>The webhook push provider: the app's URL and the secret its POSTs are signed with.</summary>
public sealed record WebhookPushSettings(string Url, string Secret);

/// <summary>An app's push providers; <see cref="Version"/> changes with every update (provider caches key on it).</summary>
public sealed record PushConfig(FcmSettings? Fcm, ApnsSettings? Apns, WebhookPushSettings? Webhook, long Version)
{
    public static readonly PushConfig None = new(null, null, null, 0);

    public bool Any => Fcm is not null || Apns is not null || Webhook is not null;
}

/// <summary>One provider's part of a PUT: absent (<c>null</c> here) leaves it, <see cref="Remove"/> deletes it, else a patch.</summary>
public sealed record ProviderChange<T>(T? Patch) where T : class
{
    public bool Remove => Patch is null;
}

public sealed record FcmPatch(string? ProjectId, string? ServiceAccountJson, string? Endpoint, string? TokenEndpoint);
public sealed record ApnsPatch(string? TeamId, string? KeyId, string? BundleId, string? P8Pem, bool? Production, string? Endpoint);
public sealed record WebhookPatch(string? Url, string? Secret);

public sealed record PushSettingsChange(
    ProviderChange<FcmPatch>? Fcm, ProviderChange<ApnsPatch>? Apns, ProviderChange<WebhookPatch>? Webhook);

/// <summary>The settings as GET <c>/v1/app/push</c> shows them: every secret masked.</summary>
public sealed record PushSettingsDto(FcmSettingsDto? Fcm, ApnsSettingsDto? Apns, WebhookPushSettingsDto? Webhook)
{
    public const string Masked = "********";

    public static PushSettingsDto From(PushConfig c) => new(
        c.Fcm is { } f ? new FcmSettingsDto(f.ProjectId, PushSettingsService.ClientEmailOf(f.ServiceAccountJson), Masked, f.Endpoint,
            f.TokenEndpoint) : null,
        c.Apns is { } a ? new ApnsSettingsDto(a.TeamId, a.KeyId, a.BundleId, Masked, a.Production, a.Endpoint) : null,
        c.Webhook is { } w ? new WebhookPushSettingsDto(w.Url, Masked) : null);
}

public sealed record FcmSettingsDto(
    string ProjectId, string? ClientEmail, string ServiceAccountJson, string? Endpoint, string? TokenEndpoint);
public sealed record ApnsSettingsDto(string TeamId, string KeyId, string BundleId, string P8Pem, bool Production, string? Endpoint);
public sealed record WebhookPushSettingsDto(string Url, string Secret);

/// <summary>
/// An app's push providers (PROTOCOL §10 GET/PUT <c>/v1/app/push</c>), Platform API only. Secrets are write-only; a PUT
/// that leaves one out keeps the stored one. Every node keeps the settings it read (the send path asks "does this app
/// push?" on every message) and forgets them on the app's <c>node:app_changed</c> event, with a short lifetime besides.
/// </summary>
public sealed class PushSettingsService(ChatStore store, TimeProvider time, IServiceProvider services) : IEventSink
{
    private static readonly long Lifetime = TimeSpan.FromSeconds(30).Ticks;
    private static readonly JsonSerializerOptions StoredJson = ApiJson.Options;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (PushConfig Config, long Until)> _cache =
        new(StringComparer.Ordinal);

    private IEventPublisher Events => services.GetRequiredService<IEventPublisher>();

    /// <summary>The cached settings of the app, when this node has them and they are fresh.</summary>
    public bool TryGetCached(string appId, out PushConfig config)
    {
        if (_cache.TryGetValue(appId, out var entry) && entry.Until > DateTime.UtcNow.Ticks)
        {
            config = entry.Config;
            return true;
        }
        config = PushConfig.None;
        return false;
    }

    /// <summary>Reads the app's settings with <paramref name="db"/> (a store read, or the send's transaction) and caches them.</summary>
    public async Task<PushConfig> LoadAsync(ChatDbContext db, string appId, CancellationToken cancellationToken = default)
    {
        var row = await db.PushSettings.AsNoTracking().FirstOrDefaultAsync(p => p.AppId == appId, cancellationToken);
        var config = row is null ? PushConfig.None : FromRow(row);
        Remember(appId, config);
        return config;
    }

    public async ValueTask<PushConfig> GetAsync(string appId, CancellationToken cancellationToken = default) =>
        TryGetCached(appId, out var config)
            ? config
            : await store.ReadAsync(db => LoadAsync(db, appId, cancellationToken), cancellationToken);

    /// <summary>GET <c>/v1/app/push</c>.</summary>
    public async Task<PushSettingsDto> ShowAsync(ChatCaller caller, CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        return PushSettingsDto.From(await store.ReadAsync(db => LoadAsync(db, caller.AppId, cancellationToken), cancellationToken));
    }

    /// <summary>PUT <c>/v1/app/push</c>: checks every part before anything is stored.</summary>
    public async Task<PushSettingsDto> UpdateAsync(ChatCaller caller, PushSettingsChange change,
        CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        var appId = caller.AppId;
        var ct = cancellationToken;
        var config = await store.WriteAsync(async db =>
        {
            var row = await db.PushSettings.FirstOrDefaultAsync(p => p.AppId == appId, ct);
            var old = row is null ? PushConfig.None : FromRow(row);
            var now = time.NowMs();
            var updated = new PushConfig(
                Apply(change.Fcm, old.Fcm, MergeFcm),
                Apply(change.Apns, old.Apns, MergeApns),
                Apply(change.Webhook, old.Webhook, MergeWebhook),
                Math.Max(now, old.Version + 1));
            if (row is null)
            {
                row = new PushSettingsRow { AppId = appId };
                db.PushSettings.Add(row);
            }
            row.Fcm = updated.Fcm is null ? null : JsonSerializer.Serialize(updated.Fcm, StoredJson);
            row.Apns = updated.Apns is null ? null : JsonSerializer.Serialize(updated.Apns, StoredJson);
            row.Webhook = updated.Webhook is null ? null : JsonSerializer.Serialize(updated.Webhook, StoredJson);
            row.UpdatedAt = updated.Version;
            return updated;
        }, ct);
        Remember(appId, config);
        await Events.PublishAsync([AppCache.Changed(appId)], ct);
        return PushSettingsDto.From(config);
    }

    private static T? Apply<T, TPatch>(ProviderChange<TPatch>? change, T? old, Func<TPatch, T?, T> merge)
        where T : class where TPatch : class =>
        change is null ? old : change.Remove ? null : merge(change.Patch!, old);

    private static FcmSettings MergeFcm(FcmPatch p, FcmSettings? old)
    {
        var json = p.ServiceAccountJson ?? old?.ServiceAccountJson
            ?? throw ApiException.BadRequest("fcm.service_account_json is required");
        var jsonProject = p.ServiceAccountJson is null ? null : CheckServiceAccount(json);
        var project = p.ProjectId ?? jsonProject ?? old?.ProjectId
            ?? throw ApiException.BadRequest("fcm.project_id is required (it is not in the service account key)");
        CheckIdentifier("fcm.project_id", project);
        return new FcmSettings(project, json, Url("fcm.endpoint", p.Endpoint, old?.Endpoint),
            Url("fcm.token_endpoint", p.TokenEndpoint, old?.TokenEndpoint));
    }

    private static ApnsSettings MergeApns(ApnsPatch p, ApnsSettings? old)
    {
        var pem = p.P8Pem ?? old?.P8Pem ?? throw ApiException.BadRequest("apns.p8_pem is required");
        if (p.P8Pem is not null) CheckP8(pem);
        var team = p.TeamId ?? old?.TeamId ?? throw ApiException.BadRequest("apns.team_id is required");
        var key = p.KeyId ?? old?.KeyId ?? throw ApiException.BadRequest("apns.key_id is required");
        var bundle = p.BundleId ?? old?.BundleId ?? throw ApiException.BadRequest("apns.bundle_id is required");
        // No default: a production token sent to the sandbox (or the reverse) is "BadDeviceToken", which would prune it.
        var production = p.Production ?? old?.Production ?? throw ApiException.BadRequest("apns.production is required (true or false)");
        CheckIdentifier("apns.team_id", team);
        CheckIdentifier("apns.key_id", key);
        CheckIdentifier("apns.bundle_id", bundle);
        return new ApnsSettings(team, key, bundle, pem, production, Url("apns.endpoint", p.Endpoint, old?.Endpoint));
    }

    private static WebhookPushSettings MergeWebhook(WebhookPatch p, WebhookPushSettings? old)
    {
        var url = Url("webhook.url", p.Url, old?.Url) ?? throw ApiException.BadRequest("webhook.url is required");
        var secret = p.Secret ?? old?.Secret ?? throw ApiException.BadRequest("webhook.secret is required");
        if (secret.Length < 16) throw ApiException.BadRequest("webhook.secret must be at least 16 characters");
        return new WebhookPushSettings(url, secret);
    }

    /// <summary>A given URL replaces the old one, <c>""</c> returns to the default, absent keeps the old one.</summary>
    private static string? Url(string field, string? given, string? old)
    {
        if (given is null) return old;
        if (given.Length == 0) return null;
        if (!Uri.TryCreate(given, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw ApiException.BadRequest($"{field} must be an absolute http(s) URL");
        return given;
    }

    private static void CheckIdentifier(string field, string value)
    {
        if (value.Length is 0 or > 256 || value.Any(char.IsWhiteSpace))
            throw ApiException.BadRequest($"{field} must be 1 to 256 characters without spaces");
    }

    /// <summary>
    /// Refuses anything but a service account key whose private key loads; returns its <c>project_id</c>, if any.
    /// </summary>
    internal static string? CheckServiceAccount(string json)
    {
        const string refusal = "fcm.service_account_json must be a service account key (JSON with client_email and private_key)";
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw ApiException.BadRequest(refusal);
            if (root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && type.GetString() != "service_account")
                throw ApiException.BadRequest("fcm.service_account_json: type must be service_account");
            if (!root.TryGetProperty("client_email", out var email) || email.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("private_key", out var key) || key.ValueKind != JsonValueKind.String)
                throw ApiException.BadRequest(refusal);
            try
            {
                using var rsa = RSA.Create();
                rsa.ImportFromPem(key.GetString());
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                throw ApiException.BadRequest("fcm.service_account_json: private_key is not an RSA private key in PEM form");
            }
            if (root.TryGetProperty("token_uri", out var uri) && uri.ValueKind == JsonValueKind.String)
                Url("fcm.service_account_json token_uri", uri.GetString(), null);
            return root.TryGetProperty("project_id", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        }
        catch (JsonException)
        {
            throw ApiException.BadRequest(refusal);
        }
    }

    private static void CheckP8(string pem)
    {
        try
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            if (key.KeySize != 256) throw ApiException.BadRequest("apns.p8_pem must be a P-256 key (an APNs .p8 key)");
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            throw ApiException.BadRequest("apns.p8_pem is not an EC private key in PEM form (the .p8 file's text)");
        }
    }

    /// <summary>The service account's email, shown by GET to tell keys apart (not a secret).</summary>
    internal static string? ClientEmailOf(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty("client_email", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static PushConfig FromRow(PushSettingsRow row) => new(
        row.Fcm is null ? null : JsonSerializer.Deserialize<FcmSettings>(row.Fcm, StoredJson),
        row.Apns is null ? null : JsonSerializer.Deserialize<ApnsSettings>(row.Apns, StoredJson),
        row.Webhook is null ? null : JsonSerializer.Deserialize<WebhookPushSettings>(row.Webhook, StoredJson),
        row.UpdatedAt);

    private void Remember(string appId, PushConfig config)
    {
        if (_cache.Count > 10_000) _cache.Clear(); // bounded: a cache, not a directory
        _cache[appId] = (config, DateTime.UtcNow.Ticks + Lifetime);
    }

    public void Forget(string appId) => _cache.TryRemove(appId, out _);

    /// <summary>Deletes the app's push settings and pending pushes (the app is being deleted), in its transaction.</summary>
    public static async Task DeleteAppAsync(ChatDbContext db, string appId, CancellationToken cancellationToken = default)
    {
        await db.PushOutbox.Where(x => x.AppId == appId).ExecuteDeleteAsync(cancellationToken);
        await db.PushSettings.Where(x => x.AppId == appId).ExecuteDeleteAsync(cancellationToken);
    }

    public ValueTask DeliverAsync(ChatEvent chatEvent, CancellationToken cancellationToken = default)
    {
        if (chatEvent is { TopicKind: EventTopicKind.Node, Category: AppCache.AppChangedCategory }) Forget(chatEvent.TargetId);
        return ValueTask.CompletedTask;
    }
}
