using StackExchange.Redis;

namespace GitpleLive.Server.Events;

/// <summary>
/// Presence shared by all nodes: a hash per user of client id → node id, and a heartbeat key per
/// node. A connection counts only while its node's heartbeat lives, so a crashed node's users go
/// offline within <see cref="HeartbeatTtl"/> without any cleanup.
/// </summary>
public sealed class RedisPresence : IPresence, IDisposable
{
    public static readonly TimeSpan HeartbeatTtl = TimeSpan.FromSeconds(30);
    private readonly IDatabase _db;
    private readonly string _nodeId;
    private readonly Timer _heartbeat;

    public RedisPresence(RedisConnection redis)
    {
        _db = redis.Multiplexer.GetDatabase();
        _nodeId = redis.NodeId;
        Beat();
        _heartbeat = new Timer(_ => Beat(), null, HeartbeatTtl / 3, HeartbeatTtl / 3);
    }

    private void Beat() => _db.StringSet(NodeKey(_nodeId), "1", HeartbeatTtl, flags: CommandFlags.FireAndForget);

    private static RedisKey UserKey(string appId, string userId) => $"gitplelive:presence:{appId}:{userId}";
    private static RedisKey NodeKey(string nodeId) => $"gitplelive:node:{nodeId}";

    public void Connected(string appId, string userId, string clientId) =>
        _db.HashSet(UserKey(appId, userId), clientId, _nodeId, flags: CommandFlags.FireAndForget);

    public void Disconnected(string appId, string userId, string clientId) =>
        _db.HashDelete(UserKey(appId, userId), clientId, flags: CommandFlags.FireAndForget);

    public async ValueTask<bool> IsClientConnectedAsync(
        string appId, string userId, string clientId, CancellationToken cancellationToken = default)
    {
        var node = await _db.HashGetAsync(UserKey(appId, userId), clientId);
        return node.HasValue && await _db.KeyExistsAsync(NodeKey(node!));
    }

    public async ValueTask<IReadOnlyList<string>> OnlineAsync(
        string appId, IEnumerable<string> userIds, CancellationToken cancellationToken = default)
    {
        var ids = userIds.ToList();
        var nodesPerUser = await Task.WhenAll(ids.Select(u => _db.HashValuesAsync(UserKey(appId, u))));
        var nodes = nodesPerUser.SelectMany(v => v).Select(v => (string)v!).Distinct().ToList();
        var alive = new HashSet<string>();
        foreach (var n in nodes) if (await _db.KeyExistsAsync(NodeKey(n))) alive.Add(n);
        return ids.Where((_, i) => nodesPerUser[i].Any(v => alive.Contains((string)v!))).ToList();
    }

    public void Dispose() => _heartbeat.Dispose();
}
