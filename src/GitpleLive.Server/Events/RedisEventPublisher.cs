using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace GitpleLive.Server.Events;

/// <summary>
/// Event fan-out across server nodes. Every node publishes its events on one Redis channel and
/// delivers to its local sinks only what it receives from that channel — its own events included —
/// so all nodes see one order: Redis's. Nothing is locked while an event travels: a node hands its events to
/// Redis in its commit order (the store's writer publishes them in that order and this class hands them all
/// over before it waits), and the receiving side (<see cref="RelayOrder"/>) puts sends into one channel from
/// different nodes back into commit order, from the chain of message ids each send's event carries. The
/// events of one change, and the "deliver, then cut" rule, keep their order too.
/// <para>
/// While Redis is down nothing waits for it: a change is stored and answered at once, and its events go
/// straight to this node's sinks. What the other nodes raised meanwhile is lost to this node's clients, so when
/// Redis is back the <see cref="IEventGapListener"/>s make them resynchronise (the broker closes their
/// connections; the SDKs reconnect and catch up from the store).
/// </para>
/// </summary>
public sealed class RedisEventPublisher : IEventPublisher, IDisposable
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("gitplelive:events");
    private readonly IEventSink[] _sinks;
    private readonly IEventGapListener[] _gapListeners;
    private readonly RedisConnection _redis;
    private readonly ISubscriber _subscriber;
    private readonly ChannelMessageQueue _queue;
    private readonly string _nodeId;
    private readonly ILogger<RedisEventPublisher> _logger;
    private readonly RelayOrder _order;
    private long _sequence;
    // Events delivered here after their publish timed out: should Redis still carry them, they are not delivered twice.
    private readonly ConcurrentDictionary<long, byte> _deliveredLocally = new();

    public RedisEventPublisher(RedisConnection redis, IEnumerable<IEventSink> sinks, IEnumerable<IEventGapListener> gapListeners,
        ILogger<RedisEventPublisher> logger)
    {
        _sinks = sinks.ToArray();
        _gapListeners = gapListeners.ToArray();
        _logger = logger;
        _redis = redis;
        _nodeId = redis.NodeId;
        _subscriber = redis.Multiplexer.GetSubscriber();
        _order = new RelayOrder(DeliverHere, TimeProvider.System);
        _queue = SubscribeAtStart(_subscriber);
        // OnMessage with an async handler processes messages one at a time, in order.
        _queue.OnMessage(OnRemoteAsync);
        redis.Restored += OnRestored;
    }

    /// <summary>
    /// The relay subscription, taken as the node starts. Redis is connected by then (an unreachable one failed the start
    /// already); a SUBSCRIBE that outlasts the short command timeout on a busy machine is tried twice more before the start
    /// fails.
    /// </summary>
    private static ChannelMessageQueue SubscribeAtStart(ISubscriber subscriber)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return subscriber.Subscribe(Channel);
            }
            catch (RedisTimeoutException) when (attempt < 3)
            {
                // Slow, not gone: once more.
            }
        }
    }

    public ValueTask PublishAsync(IReadOnlyList<ChatEvent> events, CancellationToken cancellationToken = default)
    {
        // Delivering local events straight away would let them overtake earlier events of other
        // nodes still on their way from Redis; going through Redis costs a round trip and keeps order.
        // Every event is handed to the connection before this returns (the caller's order is the wire's);
        // only the acknowledgements are waited for.
        if (!_redis.IsAvailable)
        {
            foreach (var e in events) DeliverHere(e);
            return ValueTask.CompletedTask;
        }
        var sent = new (ChatEvent Event, long Sequence, Task Publish)[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var sequence = Interlocked.Increment(ref _sequence);
            Task publish;
            try
            {
                publish = _subscriber.PublishAsync(Channel, Encode(events[i], _nodeId, sequence));
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                publish = Task.FromException(ex);
            }
            sent[i] = (events[i], sequence, publish);
        }
        return AwaitPublishedAsync(sent);
    }

    private async ValueTask AwaitPublishedAsync((ChatEvent Event, long Sequence, Task Publish)[] sent)
    {
        foreach (var (e, sequence, publish) in sent)
        {
            try
            {
                await publish.WaitAsync(RedisConnection.CommandTimeout, CancellationToken.None);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                if (_deliveredLocally.Count > 100_000) _deliveredLocally.Clear();
                _deliveredLocally[sequence] = 0;
                _logger.LogWarning("Publishing through Redis failed ({Error}); delivering on this node only", ex.Message);
                DeliverHere(e);
            }
        }
    }

    private void DeliverHere(ChatEvent e)
    {
        foreach (var sink in _sinks)
        {
            var delivered = sink.DeliverAsync(e, CancellationToken.None);
            if (!delivered.IsCompletedSuccessfully) delivered.AsTask().GetAwaiter().GetResult();
        }
    }

    private void OnRestored()
    {
        foreach (var listener in _gapListeners)
        {
            try
            {
                listener.EventsMayHaveBeenMissed();
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Resynchronising clients after the Redis outage failed");
            }
        }
    }

    private Task OnRemoteAsync(ChannelMessage message)
    {
        try
        {
            var (e, node, sequence) = DecodeWithOrigin((byte[])message.Message!);
            if (node == _nodeId && _deliveredLocally.TryRemove(sequence, out _)) return Task.CompletedTask;
            _order.Accept(e);
        }
        catch (Exception ex)
        {
            Operations.ChatMetrics.RelayFailed("receive");
            _logger.LogError(ex, "Dropped a malformed event from Redis");
        }
        return Task.CompletedTask;
    }

    internal static byte[] Encode(ChatEvent e, string nodeId, long sequence = 0)
    {
        var buffer = new ArrayBufferWriter<byte>(e.PayloadBytes.Length + 256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("n", nodeId);
            w.WriteNumber("s", sequence);
            // Publish time, for the relay-lag metric.
            w.WriteNumber("ms", Operations.ChatMetrics.RelayStamp());
            w.WriteString("a", e.AppId);
            w.WriteNumber("k", (int)e.TopicKind);
            w.WriteString("t", e.TargetId);
            w.WriteString("ct", e.ChannelType);
            w.WriteString("c", e.Category);
            if (e.Order is { } order)
            {
                w.WriteNumber("i", order.MessageId);
                w.WriteNumber("o", order.PreviousMessageId);
            }
            w.WriteStartArray("x");
            foreach (var cut in e.CutsAfter)
            {
                w.WriteStartObject();
                w.WriteString("u", cut.UserId);
                w.WriteString("ct", cut.ChannelType);
                w.WriteString("ch", cut.ChannelId);
                w.WriteBoolean("m", cut.ManagerOnly);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WritePropertyName("p");
            w.WriteRawValue(e.PayloadBytes, skipInputValidation: true);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    internal static ChatEvent Decode(byte[] bytes) => DecodeWithOrigin(bytes).Event;

    private static (ChatEvent Event, string? Node, long Sequence) DecodeWithOrigin(byte[] bytes)
    {
        using var doc = JsonDocument.Parse(bytes);
        var r = doc.RootElement;
        var node = r.TryGetProperty("n", out var n) ? n.GetString() : null;
        var sequence = r.TryGetProperty("s", out var s) ? s.GetInt64() : 0;
        Operations.ChatMetrics.RelayArrived(r.TryGetProperty("ms", out var stamp) ? stamp.GetInt64() : 0);
        var cuts = r.GetProperty("x").EnumerateArray()
            .Select(x => new SubscriptionCut(
                x.GetProperty("u").GetString()!,
                x.GetProperty("ct").GetString()!,
                x.GetProperty("ch").GetString()!,
                x.GetProperty("m").GetBoolean()))
            .ToList();
        var payload = r.GetProperty("p");
        return (new ChatEvent
        {
            AppId = r.GetProperty("a").GetString()!,
            TopicKind = (EventTopicKind)r.GetProperty("k").GetInt32(),
            TargetId = r.GetProperty("t").GetString()!,
            ChannelType = r.GetProperty("ct").GetString()!,
            Payload = new EventPayload(r.GetProperty("c").GetString()!),
            PayloadBytes = System.Text.Encoding.UTF8.GetBytes(payload.GetRawText()),
            CutsAfter = cuts,
            Order = r.TryGetProperty("i", out var id) && r.TryGetProperty("o", out var previous)
                ? new MessageOrder(id.GetInt64(), previous.GetInt64()) : null,
        }, node, sequence);
    }

    public void Dispose()
    {
        _redis.Restored -= OnRestored;
        _order.Dispose();
        try
        {
            _queue.Unsubscribe();
        }
        catch (Exception e) when (e is RedisException or ObjectDisposedException)
        {
            // Redis is down, or the connection is already closed: the subscription died with it.
        }
    }
}
