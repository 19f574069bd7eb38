using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace GitpleLive.Server.Events;

/// <summary>
/// Event fan-out across server nodes. Every node publishes its events on one Redis channel and
/// delivers to its local sinks only what it receives from that channel — its own events included —
/// so all nodes see one order: Redis's. A send holds its channel's turn until its event is
/// published (<c>ChannelSequencer</c>), which makes that order the message id order; the events of
/// one change, and the "deliver, then cut" rule, keep their order too.
/// </summary>
public sealed class RedisEventPublisher : IEventPublisher, IDisposable
{
    private static readonly RedisChannel Channel = RedisChannel.Literal("gitplelive:events");
    private readonly IEventSink[] _sinks;
    private readonly ISubscriber _subscriber;
    private readonly ChannelMessageQueue _queue;
    private readonly string _nodeId;
    private readonly ILogger<RedisEventPublisher> _logger;

    public RedisEventPublisher(RedisConnection redis, IEnumerable<IEventSink> sinks, ILogger<RedisEventPublisher> logger)
    {
        _sinks = sinks.ToArray();
        _logger = logger;
        _nodeId = redis.NodeId;
        _subscriber = redis.Multiplexer.GetSubscriber();
        _queue = _subscriber.Subscribe(Channel);
        // OnMessage with an async handler processes messages one at a time, in order.
        _queue.OnMessage(OnRemoteAsync);
    }

    public async ValueTask PublishAsync(IReadOnlyList<ChatEvent> events, CancellationToken cancellationToken = default)
    {
        // Delivering local events straight away would let them overtake earlier events of other
        // nodes still on their way from Redis; going through Redis costs a round trip and keeps order.
        foreach (var e in events)
            await _subscriber.PublishAsync(Channel, Encode(e, _nodeId));
    }

    private async Task OnRemoteAsync(ChannelMessage message)
    {
        try
        {
            var e = Decode((byte[])message.Message!);
            foreach (var sink in _sinks) await sink.DeliverAsync(e);
        }
        catch (Exception ex)
        {
            Operations.ChatMetrics.RelayFailed("receive");
            _logger.LogError(ex, "Dropped a malformed event from Redis");
        }
    }

    internal static byte[] Encode(ChatEvent e, string nodeId)
    {
        var buffer = new ArrayBufferWriter<byte>(e.PayloadBytes.Length + 256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("n", nodeId);
            w.WriteNumber("s", Operations.ChatMetrics.RelayStamp());
            w.WriteString("a", e.AppId);
            w.WriteNumber("k", (int)e.TopicKind);
            w.WriteString("t", e.TargetId);
            w.WriteString("ct", e.ChannelType);
            w.WriteString("c", e.Category);
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

    internal static ChatEvent Decode(byte[] bytes)
    {
        using var doc = JsonDocument.Parse(bytes);
        var r = doc.RootElement;
        Operations.ChatMetrics.RelayArrived(r.TryGetProperty("s", out var stamp) ? stamp.GetInt64() : 0);
        var cuts = r.GetProperty("x").EnumerateArray()
            .Select(x => new SubscriptionCut(
                x.GetProperty("u").GetString()!,
                x.GetProperty("ct").GetString()!,
                x.GetProperty("ch").GetString()!,
                x.GetProperty("m").GetBoolean()))
            .ToList();
        var payload = r.GetProperty("p");
        return new ChatEvent
        {
            AppId = r.GetProperty("a").GetString()!,
            TopicKind = (EventTopicKind)r.GetProperty("k").GetInt32(),
            TargetId = r.GetProperty("t").GetString()!,
            ChannelType = r.GetProperty("ct").GetString()!,
            Payload = new EventPayload(r.GetProperty("c").GetString()!),
            PayloadBytes = System.Text.Encoding.UTF8.GetBytes(payload.GetRawText()),
            CutsAfter = cuts,
        };
    }

    public void Dispose() => _queue.Unsubscribe();
}
