using StackExchange.Redis;

namespace GitpleLive.Server.Events;

/// <summary>
/// Open channel participants shared by every node: per channel a sorted set of user ids (all scored 0, so Redis keeps
/// them in id order and pages them by range), per user a set of the channels they are in. Entering is one Lua script
/// (count, limit and both writes at once), so concurrent enters on many nodes cannot overfill a channel.
/// <para>
/// "Connected" is the presence seam's (<see cref="RedisPresence"/>): the node where a user's last connection closes
/// removes them (<see cref="LastLocalConnectionClosedAsync"/>). A node that crashes cannot; its users drop out of
/// <see cref="IsParticipantAsync"/> as soon as their presence lapses (its heartbeat dies), and out of the sets when a
/// participants page meets them. Redis errors propagate: a call that needs participants fails rather than guess.
/// </para>
/// </summary>
public sealed class RedisOpenParticipants(RedisConnection redis, IPresence presence, ILogger<RedisOpenParticipants>? logger = null)
    : IOpenParticipants
{
    private readonly IDatabase _db = redis.Multiplexer.GetDatabase();

    private const string EnterScript = """
        if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return redis.call('ZCARD', KEYS[1]) end
        local n = redis.call('ZCARD', KEYS[1])
        if n >= tonumber(ARGV[2]) then return -1 end
        redis.call('ZADD', KEYS[1], 0, ARGV[1])
        redis.call('SADD', KEYS[2], ARGV[3])
        return n + 1
        """;

    private static RedisKey ChannelKey(string appId, string channelId) => $"gitplelive:open:channel:{appId}:{channelId}";
    private static RedisKey UserKey(string appId, string userId) => $"gitplelive:open:user:{appId}:{userId}";

    public async ValueTask<long> EnterAsync(string appId, string channelId, string userId, int maxParticipants,
        CancellationToken cancellationToken = default)
    {
        var result = await _db.ScriptEvaluateAsync(EnterScript, [ChannelKey(appId, channelId), UserKey(appId, userId)],
            [userId, maxParticipants, channelId]).WaitAsync(cancellationToken);
        return (long)result;
    }

    public async ValueTask<bool> ExitAsync(string appId, string channelId, string userId, CancellationToken cancellationToken = default)
    {
        var t = _db.CreateTransaction();
        var removed = t.SortedSetRemoveAsync(ChannelKey(appId, channelId), userId);
        _ = t.SetRemoveAsync(UserKey(appId, userId), channelId);
        await t.ExecuteAsync().WaitAsync(cancellationToken);
        return await removed;
    }

    public async ValueTask<bool> IsParticipantAsync(string appId, string channelId, string userId,
        CancellationToken cancellationToken = default)
    {
        var score = await _db.SortedSetScoreAsync(ChannelKey(appId, channelId), userId).WaitAsync(cancellationToken);
        return score is not null && (await presence.OnlineAsync(appId, [userId], cancellationToken)).Count > 0;
    }

    public async ValueTask<IReadOnlyDictionary<string, long>> CountsAsync(string appId, IReadOnlyCollection<string> channelIds,
        CancellationToken cancellationToken = default)
    {
        var ids = channelIds.ToList();
        var batch = _db.CreateBatch();
        var counts = ids.Select(id => batch.SortedSetLengthAsync(ChannelKey(appId, id))).ToList();
        batch.Execute();
        await Task.WhenAll(counts).WaitAsync(cancellationToken);
        return ids.Select((id, i) => (id, counts[i].Result)).ToDictionary(x => x.id, x => x.Result, StringComparer.Ordinal);
    }

    public async ValueTask<(IReadOnlyList<string> UserIds, bool More)> PageAsync(string appId, string channelId, string? after,
        int limit, CancellationToken cancellationToken = default)
    {
        var key = ChannelKey(appId, channelId);
        var values = await _db.SortedSetRangeByValueAsync(key, after is null ? default : (RedisValue)after, default,
            after is null ? Exclude.None : Exclude.Start, Order.Ascending, 0, limit + 1).WaitAsync(cancellationToken);
        var page = values.Select(v => (string)v!).ToList();
        var more = page.Count > limit;
        if (more) page.RemoveAt(page.Count - 1);
        if (page.Count == 0) return (page, more);
        // Users of a node that died without removing them: offline now, so out of the channel.
        var online = (await presence.OnlineAsync(appId, page, cancellationToken)).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in page.Where(u => !online.Contains(u)))
            await ExitAsync(appId, channelId, gone, cancellationToken);
        return (page.Where(online.Contains).ToList(), more);
    }

    public async ValueTask<IReadOnlyList<string>> ChannelsOfAsync(string appId, string userId,
        CancellationToken cancellationToken = default)
    {
        var values = await _db.SetMembersAsync(UserKey(appId, userId)).WaitAsync(cancellationToken);
        return values.Select(v => (string)v!).ToList();
    }

    public async ValueTask RemoveChannelAsync(string appId, string channelId, CancellationToken cancellationToken = default)
    {
        var key = ChannelKey(appId, channelId);
        var users = await _db.SortedSetRangeByRankAsync(key).WaitAsync(cancellationToken);
        var batch = _db.CreateBatch();
        var writes = users.Select(u => batch.SetRemoveAsync(UserKey(appId, (string)u!), channelId)).Cast<Task>().ToList();
        writes.Add(batch.KeyDeleteAsync(key));
        batch.Execute();
        await Task.WhenAll(writes).WaitAsync(cancellationToken);
    }

    public async ValueTask LastLocalConnectionClosedAsync(string appId, string userId, CancellationToken cancellationToken = default)
    {
        try
        {
            if ((await presence.OnlineAsync(appId, [userId], cancellationToken)).Count > 0) return;
            foreach (var channelId in await ChannelsOfAsync(appId, userId, cancellationToken))
                await ExitAsync(appId, channelId, userId, cancellationToken);
        }
        catch (Exception e)
        {
            logger?.LogError(e, "Removing the open channel participation of {UserId} failed", userId);
        }
    }
}
