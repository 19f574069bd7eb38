using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GitpleLive.Server.Operations;

/// <summary>
/// The server's own metrics, on the <c>GitpleLive.Server</c> meter (exported at <c>/metrics</c> and over OTLP).
/// The hot paths call one method each: an <c>Add</c> per fan-out (not per subscriber) and per send, with no tags
/// and no allocation. Gauges read the live connection directories and subscription registries when scraped.
/// Prometheus names: dots become underscores, counters end in <c>_total</c>, the unit becomes a suffix.
/// </summary>
public static class ChatMetrics
{
    public const string MeterName = "GitpleLive.Server";
    private static readonly Meter Meter = new(MeterName);

    // Processes host one server; tests host several, each adding its realtime state while it runs.
    private static readonly ConcurrentDictionary<object, (ConnectionDirectory Directory, SubscriptionRegistry Registry)> Nodes = new();

    private static readonly Counter<long> Deliveries = Meter.CreateCounter<long>("gitplelive.deliveries",
        description: "Event packets queued on subscriber connections");
    private static readonly Counter<long> SlowConsumersCut = Meter.CreateCounter<long>("gitplelive.slow_consumers_cut",
        description: "Connections closed because their outgoing queue was full");
    private static readonly Counter<long> MessagesSent = Meter.CreateCounter<long>("gitplelive.messages_sent",
        description: "Messages stored and published");
    private static readonly Histogram<double> SendDuration = Meter.CreateHistogram("gitplelive.send.duration", "s",
        "Time to store and publish a message", advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
        });
    private static readonly Histogram<double> RelayLag = Meter.CreateHistogram("gitplelive.redis.relay.lag", "s",
        "Time from an event's publication on one node to its arrival from Redis (node clocks must agree)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5] });
    private static readonly Counter<long> RelayFailures = Meter.CreateCounter<long>("gitplelive.redis.relay.failures",
        description: "Events the Redis relay failed to publish or deliver");

    // Push (Push/PushOutbox, Push/PushDispatcher) and webhooks report their queues and failures here.
    private static readonly UpDownCounter<long> PushQueueDepth = Meter.CreateUpDownCounter<long>("gitplelive.push.queue.depth",
        description: "Messages waiting in the push outbox (queued on this node minus finished on this node)");
    private static readonly Counter<long> PushFailures = Meter.CreateCounter<long>("gitplelive.push.failures",
        description: "Push notifications that failed");
    private static readonly Counter<long> PushesSent = Meter.CreateCounter<long>("gitplelive.push.sent",
        description: "Push notifications a provider accepted");
    private static readonly Histogram<double> PushDelay = Meter.CreateHistogram("gitplelive.push.delay", "s",
        "Time from a message's send to its push being accepted by the provider",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60] });
    private static readonly UpDownCounter<long> WebhookQueueDepth = Meter.CreateUpDownCounter<long>("gitplelive.webhook.queue.depth",
        description: "Webhook calls waiting to be made");
    private static readonly Counter<long> WebhookFailures = Meter.CreateCounter<long>("gitplelive.webhook.failures",
        description: "Webhook calls that failed");

    static ChatMetrics()
    {
        Meter.CreateObservableGauge("gitplelive.connections", () => Nodes.Values.Sum(n => (long)n.Directory.Count),
            description: "Open realtime (MQTT over WebSocket) connections");
        Meter.CreateObservableGauge("gitplelive.subscriptions", () => Nodes.Values.Sum(n => (long)n.Registry.SubscriptionCount),
            description: "Topic subscriptions of the open connections");
    }

    internal static void AddNode(object node, ConnectionDirectory directory, SubscriptionRegistry registry) =>
        Nodes[node] = (directory, registry);

    internal static void RemoveNode(object node) => Nodes.TryRemove(node, out _);

    /// <summary>One fan-out: <paramref name="count"/> packets queued.</summary>
    public static void Delivered(int count)
    {
        if (count > 0) Deliveries.Add(count);
    }

    public static void SlowConsumerCut() => SlowConsumersCut.Add(1);

    /// <summary>A timestamp for <see cref="MessageSent"/>.</summary>
    public static long Start() => Stopwatch.GetTimestamp();

    public static void MessageSent(long started)
    {
        MessagesSent.Add(1);
        SendDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>The stamp a relayed event carries: wall-clock milliseconds, comparable across nodes.</summary>
    public static long RelayStamp() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>An event arrived from Redis with the <see cref="RelayStamp"/> it was published with (0: none).</summary>
    public static void RelayArrived(long stamp)
    {
        if (stamp > 0) RelayLag.Record(Math.Max(0, RelayStamp() - stamp) / 1000.0);
    }

    /// <summary>An event the relay could not publish (<c>"publish"</c>) or deliver (<c>"receive"</c>).</summary>
    public static void RelayFailed(string direction) => RelayFailures.Add(1, new KeyValuePair<string, object?>("direction", direction));

    public static void PushQueued(int delta) => PushQueueDepth.Add(delta);
    public static void PushFailed() => PushFailures.Add(1);
    /// <summary>A push a provider accepted, <paramref name="delayMs"/> after its message was sent.</summary>
    public static void PushSent(string provider, long delayMs)
    {
        PushesSent.Add(1, new KeyValuePair<string, object?>("provider", provider));
        PushDelay.Record(Math.Max(0, delayMs) / 1000.0);
    }
    public static void WebhookQueued(int delta) => WebhookQueueDepth.Add(delta);
    public static void WebhookFailed() => WebhookFailures.Add(1);

    private static readonly Counter<long> WebhooksDelivered = Meter.CreateCounter<long>("gitplelive.webhook.delivered",
        description: "Webhook deliveries a receiver accepted (2xx)");
    private static readonly Counter<long> WebhookAttempts = Meter.CreateCounter<long>("gitplelive.webhook.attempts",
        description: "Webhook HTTP attempts, by outcome (ok: 2xx; error: anything else, a timeout or no connection)");
    private static readonly Counter<long> WebhooksDropped = Meter.CreateCounter<long>("gitplelive.webhook.dropped",
        description: "Changes not queued for webhooks because the in-memory buffer was full");
    private static readonly Histogram<double> WebhookAttemptDuration = Meter.CreateHistogram("gitplelive.webhook.attempt.duration", "s",
        "Time from a webhook request to the receiver's answer (or the attempt's end)", advice: new InstrumentAdvice<double>
        {
            HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        });

    /// <summary>A receiver accepted a delivery.</summary>
    public static void WebhookDelivered() => WebhooksDelivered.Add(1);

    /// <summary>One HTTP attempt of a webhook delivery ended after <paramref name="duration"/>.</summary>
    public static void WebhookAttempted(TimeSpan duration, bool ok)
    {
        WebhookAttempts.Add(1, new KeyValuePair<string, object?>("outcome", ok ? "ok" : "error"));
        WebhookAttemptDuration.Record(duration.TotalSeconds);
    }

    /// <summary>A change was not queued for webhooks (buffer full).</summary>
    public static void WebhookDropped() => WebhooksDropped.Add(1);
}
