using System.Collections.Concurrent;

namespace GitpleLive.Server.Services;

/// <summary>
/// The apps this node has read, so authenticating a call needs no store read. A change to an app's settings or
/// keys on any node raises an <see cref="AppChangedCategory"/> node event, which forgets the app here — through
/// Redis on every node; a short lifetime bounds staleness should an event be missed (a Redis outage).
/// </summary>
public sealed class AppCache : IEventSink
{
    /// <summary>Category of the node event that says an app's row changed (target: the app id).</summary>
    public const string AppChangedCategory = "node:app_changed";

    private static readonly long Lifetime = TimeSpan.FromSeconds(30).Ticks;
    private readonly ConcurrentDictionary<string, (AppRow App, long Until)> _apps = new(StringComparer.Ordinal);

    public bool TryGet(string appId, out AppRow app)
    {
        if (_apps.TryGetValue(appId, out var entry) && entry.Until > DateTime.UtcNow.Ticks)
        {
            app = entry.App;
            return true;
        }
        app = null!;
        return false;
    }

    public void Remember(AppRow app)
    {
        if (_apps.Count > 10_000) _apps.Clear(); // bounded: a cache, not a directory
        _apps[app.AppId] = (app, DateTime.UtcNow.Ticks + Lifetime);
    }

    public void Forget(string appId) => _apps.TryRemove(appId, out _);

    /// <summary>The node event that makes every node forget <paramref name="appId"/>.</summary>
    public static ChatEvent Changed(string appId) => new()
    {
        AppId = appId,
        TopicKind = EventTopicKind.Node,
        TargetId = appId,
        Payload = new EventPayload(AppChangedCategory),
    };

    public ValueTask DeliverAsync(ChatEvent chatEvent, CancellationToken cancellationToken = default)
    {
        if (chatEvent is { TopicKind: EventTopicKind.Node, Category: AppChangedCategory }) Forget(chatEvent.TargetId);
        return ValueTask.CompletedTask;
    }
}
