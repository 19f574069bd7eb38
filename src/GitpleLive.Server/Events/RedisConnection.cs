using StackExchange.Redis;

namespace GitpleLive.Server.Events;

/// <summary>The node's Redis connection and identity.</summary>
public sealed class RedisConnection(string configuration) : IDisposable
{
    public IConnectionMultiplexer Multiplexer { get; } = ConnectionMultiplexer.Connect(configuration);
    /// <summary>A fresh id per process start: presence entries of a dead node die with its heartbeat.</summary>
    public string NodeId { get; } = $"{Environment.MachineName}-{Guid.NewGuid():N}";

    public void Dispose() => Multiplexer.Dispose();
}
