using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using StackExchange.Redis;

namespace GitpleLive.Server.RateLimiting;

/// <summary>Counts calls per key in fixed windows: the seam between the limits and where they are counted.</summary>
public interface IRateLimitStore
{
    /// <summary>Counts one call against <paramref name="key"/>; null when allowed, else how long until the window ends.</summary>
    ValueTask<TimeSpan?> HitAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken = default);
}

/// <summary>
/// This node's counts, with .NET's fixed-window rate limiters (System.Threading.RateLimiting, the limiters behind
/// ASP.NET Core's rate limiting), one partition per key and limit.
/// </summary>
public sealed class LocalRateLimitStore : IRateLimitStore, IDisposable
{
    private readonly PartitionedRateLimiter<(string Key, int Limit, TimeSpan Window)> _limiter =
        PartitionedRateLimiter.Create<(string Key, int Limit, TimeSpan Window), (string, int, TimeSpan)>(k =>
            RateLimitPartition.GetFixedWindowLimiter(k, p => new FixedWindowRateLimiterOptions
            {
                PermitLimit = p.Item2,
                Window = p.Item3,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));

    public ValueTask<TimeSpan?> HitAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken = default)
    {
        using var lease = _limiter.AttemptAcquire((key, limit, window));
        if (lease.IsAcquired) return ValueTask.FromResult<TimeSpan?>(null);
        return ValueTask.FromResult<TimeSpan?>(lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : window);
    }

    public void Dispose() => _limiter.Dispose();
}

/// <summary>
/// The cluster's counts: one Redis counter per key and window (INCR, expiring with the window), so every node
/// counts against the same budget. While Redis is unreachable this node counts alone (<see cref="LocalRateLimitStore"/>).
/// </summary>
public sealed class RedisRateLimitStore(RedisConnection redis, LocalRateLimitStore local) : IRateLimitStore
{
    private static readonly LuaScript Script = LuaScript.Prepare(
        "local n = redis.call('INCR', @key) if n == 1 then redis.call('PEXPIRE', @key, @window) end " +
        "return { n, redis.call('PTTL', @key) }");

    public async ValueTask<TimeSpan?> HitAsync(string key, int limit, TimeSpan window, CancellationToken cancellationToken = default)
    {
        if (redis.IsAvailable)
        {
            try
            {
                var db = redis.Multiplexer.GetDatabase();
                var result = (RedisResult[])(await db.ScriptEvaluateAsync(Script,
                        new { key = (RedisKey)("gitplelive:rl:" + key), window = (long)window.TotalMilliseconds })
                    .WaitAsync(RedisConnection.CommandTimeout, cancellationToken))!;
                var count = (long)result[0];
                var ttl = (long)result[1];
                return count <= limit ? null : TimeSpan.FromMilliseconds(ttl > 0 ? ttl : window.TotalMilliseconds);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Down: count on this node until it is back.
            }
        }
        return await local.HitAsync(key, limit, window, cancellationToken);
    }
}
