using StackExchange.Redis;

namespace GitpleLive.Server.Events;

/// <summary>Whether this node's Redis link is up; what <c>/health/ready</c> reports as the <c>redis</c> check.</summary>
public interface IRedisStatus
{
    /// <summary>True when Redis is configured and this node can reach it now (false when not configured).</summary>
    bool IsAvailable { get; }
}

/// <summary>
/// The node's Redis connection and identity. It must connect at start (an unreachable Redis is a start-up error);
/// after that an outage never blocks a caller: commands fail at once while the link is down (no backlog),
/// the client reconnects by itself every half second, and <see cref="Lost"/> / <see cref="Restored"/> tell
/// the publisher and presence, which then serve this node locally and resynchronise on return.
/// </summary>
public sealed class RedisConnection : IRedisStatus, IDisposable
{
    /// <summary>Longest a caller waits for a Redis command before treating Redis as down.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private bool _interactiveDown, _subscriptionDown;
    private int _lost;

    public RedisConnection(string configuration, ILogger<RedisConnection>? logger = null)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = true;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ReconnectRetryPolicy = new LinearRetry(500);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, (int)CommandTimeout.TotalMilliseconds);
        options.SyncTimeout = Math.Min(options.SyncTimeout, (int)CommandTimeout.TotalMilliseconds);
        Multiplexer = ConnectionMultiplexer.Connect(options);
        Multiplexer.ConnectionFailed += (_, e) =>
        {
            if (!Track(e.ConnectionType, down: true)) return;
            logger?.LogWarning("Redis is unreachable ({Failure}): serving this node's clients locally", e.FailureType);
            Lost?.Invoke();
        };
        Multiplexer.ConnectionRestored += (_, e) =>
        {
            if (!Track(e.ConnectionType, down: false)) return;
            logger?.LogWarning("Redis is back: relaying events between nodes again");
            Restored?.Invoke();
        };
    }

    /// <summary>Records one link's state; true when Redis as a whole just went down (both up before) or came back (both up now).</summary>
    private bool Track(ConnectionType type, bool down)
    {
        lock (_gate)
        {
            var wasLost = _interactiveDown || _subscriptionDown;
            if (type == ConnectionType.Subscription) _subscriptionDown = down;
            else if (type == ConnectionType.Interactive) _interactiveDown = down;
            else return false;
            var isLost = _interactiveDown || _subscriptionDown;
            Volatile.Write(ref _lost, isLost ? 1 : 0);
            return wasLost != isLost;
        }
    }

    public IConnectionMultiplexer Multiplexer { get; }

    /// <summary>A fresh id per process start: presence entries of a dead node die with its heartbeat.</summary>
    public string NodeId { get; } = $"{Environment.MachineName}-{Guid.NewGuid():N}";

    public bool IsAvailable => Volatile.Read(ref _lost) == 0 && Multiplexer.IsConnected;

    /// <summary>Raised once when the link to Redis goes down (either of its connections).</summary>
    public event Action? Lost;

    /// <summary>Raised once when it is back (both connections; the client restores the subscriptions itself).</summary>
    public event Action? Restored;

    public void Dispose() => Multiplexer.Dispose();
}

/// <summary>Told when this node may have missed events of other nodes (Redis was down), once Redis is back.</summary>
public interface IEventGapListener
{
    /// <summary>Makes this node's clients catch up, e.g. by closing their connections so the SDKs reconnect and resync.</summary>
    void EventsMayHaveBeenMissed();
}
