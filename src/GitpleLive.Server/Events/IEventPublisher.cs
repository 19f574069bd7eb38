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
