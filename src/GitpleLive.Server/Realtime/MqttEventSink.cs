using System.Buffers;

namespace GitpleLive.Server.Realtime;

/// <summary>
/// Delivers chat events to the MQTT clients of this process: the event's PUBLISH packet is encoded once
/// (once more for MQTT 5 clients, if any listen) and the same bytes are queued on every subscriber's
/// connection. Then the event's cuts are applied, so the users losing a channel hear why first.
/// </summary>
internal sealed class MqttEventSink(SubscriptionRegistry registry, ConnectionDirectory directory, ILogger<MqttEventSink> logger)
    : IEventSink
{
    /// <summary>The category after which the user's connections are closed (PROTOCOL §6: clients disconnect on it).</summary>
    private const string UserDeleteCategory = EventCategories.UserDelete;

    public ValueTask DeliverAsync(ChatEvent chatEvent, CancellationToken cancellationToken = default)
    {
        if (chatEvent.TopicKind == EventTopicKind.Node) return ValueTask.CompletedTask; // for the nodes, not for clients
        var topic = registry.Find(RealtimeTopics.KeyOf(chatEvent));
        if (topic is not null) Deliver(topic, chatEvent);

        foreach (var cut in chatEvent.CutsAfter)
        {
            registry.Cut(RealtimeTopics.ChannelKey(chatEvent.AppId, cut.ChannelType, cut.ChannelId, manager: true), cut.UserId);
            if (!cut.ManagerOnly)
                registry.Cut(RealtimeTopics.ChannelKey(chatEvent.AppId, cut.ChannelType, cut.ChannelId, manager: false), cut.UserId);
        }

        if (chatEvent is { TopicKind: EventTopicKind.User, Category: UserDeleteCategory })
            foreach (var connection in directory.OfUser(chatEvent.AppId, chatEvent.TargetId))
                connection.CloseWhenDrained();

        return ValueTask.CompletedTask;
    }

    private void Deliver(TopicSubscribers topic, ChatEvent chatEvent)
    {
        byte[]? v311 = null, v5 = null;
        var dropped = 0;
        var queued = 0;
        // Connections whose writer was idle: written to from this thread once the topic's gate is released
        // (a write may fail, and dropping a connection takes the registry's locks).
        RealtimeConnection[]? idle = null;
        var idleCount = 0;
        lock (topic.Gate)
        {
            var connections = topic.Connections;
            foreach (var connection in connections)
            {
                var packet = connection.IsMqtt5
                    ? v5 ??= PublishPacket.Encode(chatEvent.Topic, chatEvent.PayloadBytes, mqtt5: true)
                    : v311 ??= PublishPacket.Encode(chatEvent.Topic, chatEvent.PayloadBytes, mqtt5: false);
                if (connection.MaximumPacketSize != 0 && packet.Length > connection.MaximumPacketSize)
                {
                    // MQTT 5: a packet larger than the client accepts must not be sent [MQTT-3.1.2-25].
                    dropped++;
                    continue;
                }
                if (!connection.EnqueueEvent(packet, out var startWriter)) continue;
                queued++;
                if (startWriter) (idle ??= ArrayPool<RealtimeConnection>.Shared.Rent(connections.Length))[idleCount++] = connection;
            }
        }
        Operations.ChatMetrics.Delivered(queued);
        if (idle is not null)
        {
            for (var i = 0; i < idleCount; i++) idle[i].RunWriter();
            ArrayPool<RealtimeConnection>.Shared.Return(idle, clearArray: true);
        }
        if (dropped > 0)
            logger.LogDebug("Event {Category} on {Topic} exceeded the maximum packet size of {Count} clients",
                chatEvent.Category, chatEvent.Topic, dropped);
    }
}
