using System.Collections.Concurrent;

namespace GitpleLive.Server.Events;

/// <summary>Presence of this process's connections.</summary>
public sealed class InMemoryPresence : IPresence
{
    private readonly ConcurrentDictionary<(string App, string User), ConcurrentDictionary<string, byte>> _clients = new();

    public void Connected(string appId, string userId, string clientId) =>
        _clients.GetOrAdd((appId, userId), _ => new()).TryAdd(clientId, 0);

    public void Disconnected(string appId, string userId, string clientId)
    {
        if (!_clients.TryGetValue((appId, userId), out var set)) return;
        set.TryRemove(clientId, out _);
        // Races with a concurrent Connected are harmless: an empty set simply stays.
    }

    public ValueTask<bool> IsClientConnectedAsync(
        string appId, string userId, string clientId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_clients.TryGetValue((appId, userId), out var set) && set.ContainsKey(clientId));

    public ValueTask<IReadOnlyList<string>> OnlineAsync(
        string appId, IEnumerable<string> userIds, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyList<string>>(userIds
            .Where(u => _clients.TryGetValue((appId, u), out var set) && !set.IsEmpty)
            .ToList());

    /// <summary>Every connection known, as (app, user, client id).</summary>
    internal IEnumerable<(string App, string User, string Client)> Entries()
    {
        foreach (var ((app, user), clients) in _clients)
            foreach (var client in clients.Keys)
                yield return (app, user, client);
    }
}
