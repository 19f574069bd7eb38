using System.Collections.Concurrent;

namespace GitpleLive.Server.Services;

/// <summary>
/// Remembers for a few seconds that a user exists, so authenticating each SDK call needs no store
/// read. A <c>user_delete</c> event — from this node or, through Redis, from another — forgets the
/// user at once; the short lifetime bounds staleness should an event be missed.
/// </summary>
public sealed class UserCache : IEventSink
{
    private static readonly long Lifetime = TimeSpan.FromSeconds(10).Ticks;
    private readonly ConcurrentDictionary<(string App, string User), long> _seen = new();

    public bool IsKnown(string appId, string userId) =>
        _seen.TryGetValue((appId, userId), out var until) && until > DateTime.UtcNow.Ticks;

    public void Remember(string appId, string userId)
    {
        if (_seen.Count > 100_000) _seen.Clear(); // bounded: a cache, not a directory
        _seen[(appId, userId)] = DateTime.UtcNow.Ticks + Lifetime;
    }

    public void Forget(string appId, string userId) => _seen.TryRemove((appId, userId), out _);

    public ValueTask DeliverAsync(ChatEvent chatEvent, CancellationToken cancellationToken = default)
    {
        if (chatEvent is { TopicKind: EventTopicKind.User, Category: EventCategories.UserDelete })
            Forget(chatEvent.AppId, chatEvent.TargetId);
        return ValueTask.CompletedTask;
    }
}
