using System.Collections.Concurrent;
using StackExchange.Redis;

namespace GitpleLive.Server.Events;

/// <summary>
/// Presence shared by all nodes: a hash per user of client id → node id, and a heartbeat key per
/// node. A connection counts only while its node's heartbeat lives, so a crashed node's users go
/// offline within <see cref="HeartbeatTtl"/> without any cleanup.
/// <para>
/// This node's own connections are also kept in memory. While Redis is down, reads answer from them at once
/// (other nodes' users look offline) instead of waiting for Redis; when it is back, the heartbeat and every
/// local connection are written again and the disconnects it missed are removed, so presence is whole again
/// even when Redis restarted empty.
/// </para>
/// </summary>
public sealed class RedisPresence : IPresence, IDisposable
{
    public static readonly TimeSpan HeartbeatTtl = TimeSpan.FromSeconds(30);
    private readonly RedisConnection _redis;
    private readonly IDatabase _db;
    private readonly string _nodeId;
    private readonly Timer _heartbeat;
    private readonly InMemoryPresence _local = new();
    private readonly ConcurrentDictionary<(string App, string User, string Client), byte> _missedDisconnects = new();
    private readonly ILogger<RedisPresence>? _logger;

    public RedisPresence(RedisConnection redis, ILogger<RedisPresence>? logger = null)
    {
        _redis = redis;
        _logger = logger;
        _db = redis.Multiplexer.GetDatabase();
        _nodeId = redis.NodeId;
        Beat();
        _heartbeat = new Timer(_ => Beat(), null, HeartbeatTtl / 3, HeartbeatTtl / 3);
        redis.Restored += Reassert;
    }

    private void Beat()
    {
        if (!_redis.IsAvailable) return;
        try
        {
            _db.StringSet(NodeKey(_nodeId), "1", HeartbeatTtl, flags: CommandFlags.FireAndForget);
        }
        catch (RedisException)
        {
            // Down: the next beat, or the restore, writes it.
        }
    }

    private static RedisKey UserKey(string appId, string userId) => $"gitplelive:presence:{appId}:{userId}";
    private static RedisKey NodeKey(string nodeId) => $"gitplelive:node:{nodeId}";

    public void Connected(string appId, string userId, string clientId)
    {
        _local.Connected(appId, userId, clientId);
        _missedDisconnects.TryRemove((appId, userId, clientId), out _);
        Try(() => _db.HashSet(UserKey(appId, userId), clientId, _nodeId, flags: CommandFlags.FireAndForget));
    }

    public void Disconnected(string appId, string userId, string clientId)
    {
        _local.Disconnected(appId, userId, clientId);
        if (!Try(() => _db.HashDelete(UserKey(appId, userId), clientId, flags: CommandFlags.FireAndForget)))
            _missedDisconnects[(appId, userId, clientId)] = 0;
    }

    /// <summary>Runs a fire-and-forget write when Redis is up; false when it could not be sent.</summary>
    private bool Try(Action write)
    {
        if (!_redis.IsAvailable) return false;
        try
        {
            write();
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
    }

    public async ValueTask<bool> IsClientConnectedAsync(
        string appId, string userId, string clientId, CancellationToken cancellationToken = default)
    {
        if (_redis.IsAvailable)
        {
            try
            {
                var timeout = RedisConnection.CommandTimeout;
                var node = await _db.HashGetAsync(UserKey(appId, userId), clientId).WaitAsync(timeout, cancellationToken);
                return node.HasValue && await _db.KeyExistsAsync(NodeKey(node!)).WaitAsync(timeout, cancellationToken);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Down: this node's own knowledge below.
            }
        }
        return await _local.IsClientConnectedAsync(appId, userId, clientId, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<string>> OnlineAsync(
        string appId, IEnumerable<string> userIds, CancellationToken cancellationToken = default)
    {
        var ids = userIds.ToList();
        if (_redis.IsAvailable)
        {
            try
            {
                return await OnlineInRedisAsync(appId, ids).WaitAsync(RedisConnection.CommandTimeout * 2, cancellationToken);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Down: this node's own knowledge below.
            }
        }
        return await _local.OnlineAsync(appId, ids, cancellationToken);
    }

    private async Task<IReadOnlyList<string>> OnlineInRedisAsync(string appId, List<string> ids)
    {
        var nodesPerUser = await Task.WhenAll(ids.Select(u => _db.HashValuesAsync(UserKey(appId, u))));
        var nodes = nodesPerUser.SelectMany(v => v).Select(v => (string)v!).Distinct().ToList();
        var alive = new HashSet<string>();
        foreach (var n in nodes) if (await _db.KeyExistsAsync(NodeKey(n))) alive.Add(n);
        return ids.Where((_, i) => nodesPerUser[i].Any(v => alive.Contains((string)v!))).ToList();
    }

    /// <summary>Redis is back: heartbeat, every local connection, and the removals it missed.</summary>
    private void Reassert()
    {
        try
        {
            Beat();
            var count = 0;
            foreach (var (app, user, client) in _local.Entries())
            {
                _db.HashSet(UserKey(app, user), client, _nodeId, flags: CommandFlags.FireAndForget);
                count++;
            }
            foreach (var key in _missedDisconnects.Keys)
                if (_missedDisconnects.TryRemove(key, out _))
                    _db.HashDelete(UserKey(key.App, key.User), key.Client, flags: CommandFlags.FireAndForget);
            _logger?.LogInformation("Presence of {Count} local connections written again to Redis", count);
        }
        catch (RedisException e)
        {
            _logger?.LogWarning("Writing presence again to Redis failed: {Error}", e.Message);
        }
    }

    public void Dispose()
    {
        _redis.Restored -= Reassert;
        _heartbeat.Dispose();
    }
}
