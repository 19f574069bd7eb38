using System.Collections.Concurrent;

namespace GitpleLive.Server.Realtime;

/// <summary>
/// Who hears what: registry key (a filter without its final <c>#</c>, see <see cref="RealtimeTopics"/>) to the
/// connections holding that subscription. Kept from MQTTnet's subscribe/unsubscribe hooks, connection ends
/// and the server's own cuts. Delivery reads a key's subscribers without copying; changes replace the array.
/// </summary>
/// <remarks>
/// Lock order: a topic's gate, then a connection's key set (never the other way round). A subscription is
/// entered as pending before its ACL check and only becomes live if no cut for that user hit the topic in
/// between, so a check that raced with a ban or leave cannot leave a subscription behind.
/// </remarks>
internal sealed class SubscriptionRegistry
{
    private readonly ConcurrentDictionary<string, TopicSubscribers> _topics = new(StringComparer.Ordinal);

    /// <summary>Number of keys with at least one subscriber or pending check.</summary>
    public int TopicCount => _topics.Count;

    /// <summary>Subscriptions over all topics (read when metrics are scraped).</summary>
    public int SubscriptionCount => _topics.Values.Sum(t => t.Connections.Length);

    /// <summary>How many connections hold the subscription <paramref name="key"/>.</summary>
    public int CountSubscribers(string key) => Find(key)?.Connections.Length ?? 0;

    /// <summary>The subscribers of a key, or null when there are none.</summary>
    public TopicSubscribers? Find(string key) => _topics.TryGetValue(key, out var topic) ? topic : null;

    /// <summary>Registers a subscription as pending while its ACL check runs.</summary>
    public PendingSubscription BeginSubscribe(RealtimeConnection connection, string key)
    {
        while (true)
        {
            var topic = _topics.GetOrAdd(key, static k => new TopicSubscribers(k));
            lock (topic.Gate)
            {
                if (topic.Removed) continue; // lost a race with the key's removal; take the new entry
                var pending = new PendingSubscription(topic, connection);
                (topic.Pending ??= []).Add(pending);
                return pending;
            }
        }
    }

    /// <summary>
    /// Ends the pending state: when <paramref name="granted"/> and no cut intervened, the subscription goes
    /// live. Returns whether it did.
    /// </summary>
    public bool CompleteSubscribe(PendingSubscription pending, bool granted)
    {
        var topic = pending.Topic;
        lock (topic.Gate)
        {
            topic.Pending!.Remove(pending);
            var live = granted && !pending.Cut && pending.Connection.TryAddSubscriptionKey(topic.Key);
            if (live && Array.IndexOf(topic.Connections, pending.Connection) < 0)
                topic.Connections = [.. topic.Connections, pending.Connection];
            RemoveIfEmpty(topic);
            return live;
        }
    }

    /// <summary>Removes one subscription of a connection. Returns whether it existed.</summary>
    public bool Unsubscribe(RealtimeConnection connection, string key)
    {
        if (!_topics.TryGetValue(key, out var topic)) return false;
        lock (topic.Gate)
        {
            var existed = Remove(topic, connection);
            connection.RemoveSubscriptionKey(key);
            RemoveIfEmpty(topic);
            return existed;
        }
    }

    /// <summary>Removes every subscription of a connection that is going away; it can hold none afterwards.</summary>
    public void RemoveConnection(RealtimeConnection connection)
    {
        foreach (var key in connection.CloseSubscriptionKeys())
        {
            if (!_topics.TryGetValue(key, out var topic)) continue;
            lock (topic.Gate)
            {
                Remove(topic, connection);
                RemoveIfEmpty(topic);
            }
        }
    }

    /// <summary>
    /// Removes the subscription to <paramref name="key"/> from every connection of <paramref name="userId"/>
    /// (the key already names the app) and spoils that user's pending checks on it; an empty user id
    /// (<see cref="SubscriptionCut.Everyone"/>) cuts every connection. Returns how many went.
    /// </summary>
    public int Cut(string key, string userId)
    {
        if (!_topics.TryGetValue(key, out var topic)) return 0;
        var everyone = userId.Length == 0;
        lock (topic.Gate)
        {
            if (topic.Pending is not null)
                foreach (var p in topic.Pending)
                    if (everyone || p.Connection.UserId == userId) p.Cut = true;

            if (everyone)
            {
                var all = topic.Connections;
                topic.Connections = [];
                foreach (var c in all) c.RemoveSubscriptionKey(key);
                RemoveIfEmpty(topic);
                return all.Length;
            }
            var removed = 0;
            foreach (var c in topic.Connections)
            {
                if (c.UserId != userId) continue;
                Remove(topic, c);
                c.RemoveSubscriptionKey(key);
                removed++;
            }
            RemoveIfEmpty(topic);
            return removed;
        }
    }

    private static bool Remove(TopicSubscribers topic, RealtimeConnection connection)
    {
        var current = topic.Connections;
        var index = Array.IndexOf(current, connection);
        if (index < 0) return false;
        if (current.Length == 1)
        {
            topic.Connections = [];
            return true;
        }
        var next = new RealtimeConnection[current.Length - 1];
        Array.Copy(current, 0, next, 0, index);
        Array.Copy(current, index + 1, next, index, current.Length - index - 1);
        topic.Connections = next;
        return true;
    }

    private void RemoveIfEmpty(TopicSubscribers topic)
    {
        if (topic.Connections.Length > 0 || topic.Pending is { Count: > 0 }) return;
        topic.Removed = true;
        _topics.TryRemove(new KeyValuePair<string, TopicSubscribers>(topic.Key, topic));
    }
}
