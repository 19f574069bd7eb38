namespace GitpleLive.Server.Realtime;

/// <summary>
/// The live connections of this process: reports presence and finds a user's connections.
/// </summary>
/// <remarks>
/// Presence is counted per client id: a client that reconnects with the same id takes the old session over
/// while the old socket may still be closing, so the client counts as connected until the last of its
/// connections has gone. A client is reported connected before its CONNACK is sent, so a tokenless client
/// can ask for its token right after CONNACK (PROTOCOL §4).
/// </remarks>
internal sealed class ConnectionDirectory(IPresence presence, IOpenParticipants participants)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string App, string User), List<RealtimeConnection>> _byUser = [];
    private readonly Dictionary<(string App, string User, string Client), int> _clientCounts = [];
    private readonly HashSet<RealtimeConnection> _all = [];

    /// <summary>Number of WebSocket connections, authenticated or not.</summary>
    public int Count
    {
        get { lock (_gate) return _all.Count; }
    }

    public void Opened(RealtimeConnection connection)
    {
        lock (_gate) _all.Add(connection);
    }

    /// <summary>Records an accepted CONNECT (the connection carries its app, user and client id).</summary>
    public void Authenticated(RealtimeConnection connection)
    {
        var (app, user, client) = (connection.AppId!, connection.UserId!, connection.ClientId!);
        lock (_gate)
        {
            if (!_byUser.TryGetValue((app, user), out var list)) _byUser[(app, user)] = list = [];
            list.Add(connection);
            _clientCounts.TryGetValue((app, user, client), out var count);
            _clientCounts[(app, user, client)] = count + 1;
            // Called under the lock so that connects and disconnects of one client id reach presence in order.
            if (count == 0) presence.Connected(app, user, client);
        }
    }

    /// <summary>Forgets a connection that has gone (authenticated or not).</summary>
    public void Closed(RealtimeConnection connection)
    {
        if (!Forget(connection)) return;
        // The user's last connection on this node: they leave the open channels they were in unless another node
        // still holds one of theirs (asked after presence has been told).
        _ = participants.LastLocalConnectionClosedAsync(connection.AppId!, connection.UserId!);
    }

    /// <summary>Forgets the connection; true when it was its user's last one on this node.</summary>
    private bool Forget(RealtimeConnection connection)
    {
        lock (_gate)
        {
            _all.Remove(connection);
            if (connection.AppId is not { } app || connection.UserId is not { } user || connection.ClientId is not { } client) return false;
            if (!_byUser.TryGetValue((app, user), out var list) || !list.Remove(connection)) return false;
            var last = list.Count == 0;
            if (last) _byUser.Remove((app, user));
            var count = _clientCounts[(app, user, client)] - 1;
            if (count > 0)
            {
                _clientCounts[(app, user, client)] = count;
                return last;
            }
            _clientCounts.Remove((app, user, client));
            presence.Disconnected(app, user, client);
            return last;
        }
    }

    /// <summary>The connections of one user of one app.</summary>
    public RealtimeConnection[] OfUser(string appId, string userId)
    {
        lock (_gate) return _byUser.TryGetValue((appId, userId), out var list) ? [.. list] : [];
    }

    /// <summary>A snapshot of every connection.</summary>
    public RealtimeConnection[] All()
    {
        lock (_gate) return [.. _all];
    }
}
