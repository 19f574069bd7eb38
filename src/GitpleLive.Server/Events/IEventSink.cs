namespace GitpleLive.Server.Events;

/// <summary>A local consumer of published events (the MQTT broker, test taps).</summary>
public interface IEventSink
{
    ValueTask DeliverAsync(ChatEvent chatEvent, CancellationToken cancellationToken = default);
}
