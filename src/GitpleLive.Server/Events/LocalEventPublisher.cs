namespace GitpleLive.Server.Events;

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
