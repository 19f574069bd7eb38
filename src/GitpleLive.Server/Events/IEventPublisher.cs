namespace GitpleLive.Server.Events;

/// <summary>
/// The realtime fan-out seam. Services publish every change here after it is stored; the
/// in-process implementation hands events to the embedded MQTT broker, a Redis one carries
/// them between nodes. Events of one call are published in order.
/// </summary>
public interface IEventPublisher
{
    ValueTask PublishAsync(IReadOnlyList<ChatEvent> events, CancellationToken cancellationToken = default);
}

/// <summary>A local consumer of published events (the MQTT broker, test taps).</summary>
public interface IEventSink
{
    ValueTask DeliverAsync(ChatEvent chatEvent, CancellationToken cancellationToken = default);
}

/// <summary>Publishes to every registered <see cref="IEventSink"/> of this process, in order.</summary>
public sealed class LocalEventPublisher(IEnumerable<IEventSink> sinks) : IEventPublisher
{
    private readonly IEventSink[] _sinks = sinks.ToArray();

    public async ValueTask PublishAsync(IReadOnlyList<ChatEvent> events, CancellationToken cancellationToken = default)
    {
        foreach (var e in events)
            foreach (var sink in _sinks)
                await sink.DeliverAsync(e, cancellationToken);
    }
}
