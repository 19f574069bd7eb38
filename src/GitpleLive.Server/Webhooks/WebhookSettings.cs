using System.Collections.Concurrent;
using System.Collections.Frozen;

namespace GitpleLive.Server.Webhooks;

/// <summary>An app's webhook settings: where to POST, the signing secret, and which categories.</summary>
public sealed class WebhookSettings
{
    public const int MinSecretLength = 16, MaxSecretLength = 256;

    private readonly FrozenSet<string> _categories;

    public WebhookSettings(string url, string secret, IReadOnlyList<string> categories, long updatedAt)
    {
        Url = url;
        Secret = secret;
        Categories = categories;
        UpdatedAt = updatedAt;
        _categories = categories.ToFrozenSet(StringComparer.Ordinal);
    }

    public string Url { get; }
    public string Secret { get; }
    /// <summary><c>["*"]</c> or the chosen categories.</summary>
    public IReadOnlyList<string> Categories { get; }
    public long UpdatedAt { get; }

    /// <summary>Whether a change of <paramref name="category"/> is delivered (a ping always is).</summary>
    public bool Wants(string category) =>
        category == WebhookCategories.Ping || _categories.Contains(WebhookCategories.All) || _categories.Contains(category);

    internal static WebhookSettings From(WebhookSettingsRow row) =>
        new(row.Url, row.Secret, row.Categories.Split(',', StringSplitOptions.RemoveEmptyEntries), row.UpdatedAt);

    /// <summary>The secret as the API shows it: never the secret, only enough to tell two apart.</summary>
    public string MaskedSecret => Secret.Length >= 24 ? "****" + Secret[^4..] : "****";
}

/// <summary>
/// Which apps have webhooks, remembered so that publishing a change of an app without them costs one dictionary
/// lookup. A change of settings on any node raises a <see cref="ChangedCategory"/> node event that forgets the app
/// on every node (through Redis); a short lifetime bounds staleness should one be missed. It reads through the context
/// factory, not <see cref="ChatStore"/>: the writer's webhook stage uses it (the store depends on the writer).
/// </summary>
public sealed class WebhookSettingsCache(IDbContextFactory<ChatDbContext> factory) : IEventSink
{
    /// <summary>Category of the node event that says an app's webhook settings changed (target: the app id).</summary>
    public const string ChangedCategory = "node:webhooks_changed";

    private const long LifetimeMs = 30_000;
    private readonly ConcurrentDictionary<string, (WebhookSettings? Settings, long Until)> _apps = new(StringComparer.Ordinal);

    /// <summary>False only when the app is known to have no webhooks: nothing of it needs queueing.</summary>
    public bool MayDeliver(string appId) =>
        !(_apps.TryGetValue(appId, out var entry) && entry.Settings is null && entry.Until > Environment.TickCount64);

    /// <summary>The app's settings (null: webhooks are off), read from the store when not remembered.</summary>
    public async ValueTask<WebhookSettings?> GetAsync(string appId, CancellationToken cancellationToken = default)
    {
        if (TryGetCached(appId, out var settings)) return settings;
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        return await LoadAsync(db, appId, cancellationToken);
    }

    /// <summary>The app's settings when remembered (null inside: webhooks are off): one dictionary lookup.</summary>
    public bool TryGetCached(string appId, out WebhookSettings? settings)
    {
        var found = _apps.TryGetValue(appId, out var entry) && entry.Until > Environment.TickCount64;
        settings = found ? entry.Settings : null;
        return found;
    }

    /// <summary>Reads the app's settings through <paramref name="db"/> (the writer's own, in its transaction) and remembers them.</summary>
    public async ValueTask<WebhookSettings?> LoadAsync(ChatDbContext db, string appId, CancellationToken cancellationToken = default)
    {
        var row = await db.WebhookSettings.AsNoTracking().FirstOrDefaultAsync(s => s.AppId == appId, cancellationToken);
        var settings = row is null ? null : WebhookSettings.From(row);
        if (_apps.Count > 10_000) _apps.Clear(); // bounded: a cache, not a directory
        _apps[appId] = (settings, Environment.TickCount64 + LifetimeMs);
        return settings;
    }

    public void Forget(string appId) => _apps.TryRemove(appId, out _);

    /// <summary>The node event that makes every node forget <paramref name="appId"/>'s settings.</summary>
    public static ChatEvent Changed(string appId) => new()
    {
        AppId = appId,
        TopicKind = EventTopicKind.Node,
        TargetId = appId,
        Payload = new EventPayload(ChangedCategory),
    };

    public ValueTask DeliverAsync(ChatEvent chatEvent, CancellationToken cancellationToken = default)
    {
        if (chatEvent is { TopicKind: EventTopicKind.Node, Category: ChangedCategory or AppCache.AppChangedCategory })
            Forget(chatEvent.TargetId);
        return ValueTask.CompletedTask;
    }
}
