namespace GitpleLive.Server.Events;

/// <summary>
/// Open channel participants of a single node. One lock guards both indexes (channel → users in id order, and user →
/// channels); every operation is a few dictionary or sorted-set steps, so it is never held long.
/// </summary>
public sealed class InMemoryOpenParticipants(IPresence presence, ILogger<InMemoryOpenParticipants>? logger = null) : IOpenParticipants
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string App, string Channel), SortedSet<string>> _byChannel = [];
    private readonly Dictionary<(string App, string User), HashSet<string>> _byUser = [];

    public ValueTask<long> EnterAsync(string appId, string channelId, string userId, int maxParticipants,
        CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_byChannel.TryGetValue((appId, channelId), out var users))
                _byChannel[(appId, channelId)] = users = new(StringComparer.Ordinal);
            if (users.Contains(userId)) return ValueTask.FromResult((long)users.Count);
            if (users.Count >= maxParticipants)
            {
                if (users.Count == 0) _byChannel.Remove((appId, channelId));
                return ValueTask.FromResult(-1L);
            }
            users.Add(userId);
            if (!_byUser.TryGetValue((appId, userId), out var channels)) _byUser[(appId, userId)] = channels = new(StringComparer.Ordinal);
            channels.Add(channelId);
            return ValueTask.FromResult((long)users.Count);
        }
    }

    public ValueTask<bool> ExitAsync(string appId, string channelId, string userId, CancellationToken cancellationToken = default)
    {
        lock (_gate) return ValueTask.FromResult(Remove(appId, channelId, userId));
    }

    private bool Remove(string appId, string channelId, string userId)
    {
        if (!_byChannel.TryGetValue((appId, channelId), out var users) || !users.Remove(userId)) return false;
        if (users.Count == 0) _byChannel.Remove((appId, channelId));
        if (_byUser.TryGetValue((appId, userId), out var channels) && channels.Remove(channelId) && channels.Count == 0)
            _byUser.Remove((appId, userId));
        return true;
    }

    public ValueTask<bool> IsParticipantAsync(string appId, string channelId, string userId, CancellationToken cancellationToken = default)
    {
        lock (_gate) return ValueTask.FromResult(_byChannel.TryGetValue((appId, channelId), out var users) && users.Contains(userId));
    }

    public ValueTask<IReadOnlyDictionary<string, long>> CountsAsync(string appId, IReadOnlyCollection<string> channelIds,
        CancellationToken cancellationToken = default)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        lock (_gate)
            foreach (var id in channelIds)
                counts[id] = _byChannel.TryGetValue((appId, id), out var users) ? users.Count : 0;
        return ValueTask.FromResult<IReadOnlyDictionary<string, long>>(counts);
    }

    public ValueTask<(IReadOnlyList<string> UserIds, bool More)> PageAsync(string appId, string channelId, string? after, int limit,
        CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_byChannel.TryGetValue((appId, channelId), out var users) || users.Count == 0)
                return ValueTask.FromResult<(IReadOnlyList<string>, bool)>(([], false));
            IEnumerable<string> view = users;
            if (after is not null)
            {
                if (string.CompareOrdinal(after, users.Max) >= 0) return ValueTask.FromResult<(IReadOnlyList<string>, bool)>(([], false));
                view = users.GetViewBetween(after, users.Max!).Where(u => string.CompareOrdinal(u, after) > 0);
            }
            var page = view.Take(limit + 1).ToList();
            var more = page.Count > limit;
            if (more) page.RemoveAt(page.Count - 1);
            return ValueTask.FromResult<(IReadOnlyList<string>, bool)>((page, more));
        }
    }

    public ValueTask<IReadOnlyList<string>> ChannelsOfAsync(string appId, string userId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return ValueTask.FromResult<IReadOnlyList<string>>(_byUser.TryGetValue((appId, userId), out var channels) ? [.. channels] : []);
    }

    public ValueTask RemoveChannelAsync(string appId, string channelId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (!_byChannel.Remove((appId, channelId), out var users)) return ValueTask.CompletedTask;
            foreach (var user in users)
                if (_byUser.TryGetValue((appId, user), out var channels) && channels.Remove(channelId) && channels.Count == 0)
                    _byUser.Remove((appId, user));
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask LastLocalConnectionClosedAsync(string appId, string userId, CancellationToken cancellationToken = default)
    {
        try
        {
            // A connection that opened meanwhile keeps the user in.
            if ((await presence.OnlineAsync(appId, [userId], cancellationToken)).Count > 0) return;
            lock (_gate)
            {
                if (!_byUser.Remove((appId, userId), out var channels)) return;
                foreach (var channelId in channels)
                    if (_byChannel.TryGetValue((appId, channelId), out var users) && users.Remove(userId) && users.Count == 0)
                        _byChannel.Remove((appId, channelId));
            }
        }
        catch (Exception e)
        {
            logger?.LogError(e, "Removing the open channel participation of {UserId} failed", userId);
        }
    }
}
