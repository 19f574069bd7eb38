namespace GitpleLive.Server.Webhooks;

/// <summary>
/// Wraps the server's <see cref="IEventPublisher"/>: publishes realtime events as before, then hands the stored changes
/// to the webhook queue. Services publish a change once, on the node that stored it — other nodes receive its events
/// from Redis straight into their sinks, never through here — so each change is queued once in the cluster.
/// <para>
/// One change can publish several events (a user-topic twin per recipient beside its channel-topic event): only the
/// categories of <see cref="WebhookCategories.Known"/> are queued, which leaves the twins (<c>user_joined_channel</c>,
/// <c>user_become_manager</c>), node events and what is not stored (typing) out. <see cref="EventTopicKind.Webhook"/>
/// events are for the queue only. For an app without webhooks the cost is one dictionary lookup per event.
/// </para>
/// <para>
/// Events raised in a write (<see cref="StoreWriter.WriteAsync{T}"/>'s <c>events</c>, what the services do) had their
/// delivery rows stored in that write's transaction by <see cref="WebhookStage"/> (<see cref="ChatEvent.WebhookStaged"/>):
/// they are not queued again.
/// Only what was published without being raised in a write goes through the buffered queue.
/// </para>
/// </summary>
internal sealed class WebhookPublisher(IEventPublisher inner, WebhookSettingsCache settings, WebhookQueue queue) : IEventPublisher
{
    public async ValueTask PublishAsync(IReadOnlyList<ChatEvent> events, CancellationToken cancellationToken = default)
    {
        var realtime = events;
        foreach (var e in events)
        {
            if (e.TopicKind != EventTopicKind.Webhook) continue;
            realtime = events.Where(x => x.TopicKind != EventTopicKind.Webhook).ToList();
            break;
        }
        try
        {
            if (realtime.Count > 0) await inner.PublishAsync(realtime, cancellationToken);
        }
        finally
        {
            // The change is stored whatever became of its realtime publication.
            foreach (var e in events)
                if (!e.WebhookStaged && e.TopicKind != EventTopicKind.Node && WebhookCategories.IsDelivered(e.Category)
                    && settings.MayDeliver(e.AppId))
                    queue.Add(e);
        }
    }
}
