using System.Diagnostics;

namespace GitpleLive.Server.Diagnostics;

/// <summary>
/// Publishes synthetic <c>group:message_send</c> events (<c>open:message_send</c> for open channels) at a fixed
/// rate, straight into the event publisher, so benchmarks measure the realtime fan-out alone (no HTTP, no
/// storage). Each message's content starts with <c>bench:{sequence}:{UTC ticks}</c> for receivers to measure latency.
/// Enabled only with <c>GitpleLive:EnableDiagnostics</c>.
/// </summary>
public sealed class FanoutGenerator(ChatStore store, IEventPublisher events, ILogger<FanoutGenerator> logger, TimeProvider time)
{
    private readonly Lock _gate = new();
    private CancellationTokenSource? _running;
    private long _published;

    public sealed record Status(bool Running, long Published);

    public Status Current => new(_running is { IsCancellationRequested: false }, Interlocked.Read(ref _published));

    /// <summary>
    /// Starts a run (stopping any earlier one): <paramref name="rate"/> events/s over the channels, for <paramref name="duration"/>.
    /// </summary>
    public async Task StartAsync(
        ChatCaller caller, IReadOnlyList<string> channelIds, int rate, TimeSpan duration, int contentBytes,
        CancellationToken cancellationToken)
    {
        caller.RequirePlatform();
        var app = caller.App;
        var channels = await store.ReadAsync(db => db.Channels
            .Where(c => c.AppId == app.AppId && channelIds.Contains(c.ChannelId))
            .ToListAsync(cancellationToken), cancellationToken);
        if (channels.Count != channelIds.Count)
        {
            var missing = channelIds.First(id => channels.All(c => c.ChannelId != id));
            throw ApiException.NotFound(ErrorCodes.ChannelNotFound, $"channel '{missing}' not found");
        }
        var sender = new UserDto("bench-generator", "bench-generator", null, null, 0, 0);
        var dtos = channels.Select(ChannelService.ToDto).ToArray();
        var cts = new CancellationTokenSource(duration);
        lock (_gate)
        {
            _running?.Cancel();
            _running = cts;
        }
        Interlocked.Exchange(ref _published, 0);
        _ = Task.Run(() => RunAsync(app.AppId, dtos, sender, rate, contentBytes, cts.Token));
    }

    public void Stop()
    {
        lock (_gate) _running?.Cancel();
    }

    private async Task RunAsync(
        string appId, ChannelDto[] channels, UserDto sender, int rate, int contentBytes, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        long sequence = 0;
        var padding = new string('x', Math.Max(0, contentBytes - 40));
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // Publish what is due by now, then yield for a millisecond: a steady rate without a busy loop.
                var due = (long)(clock.Elapsed.TotalSeconds * rate);
                while (sequence < due && !cancellationToken.IsCancellationRequested)
                {
                    var channel = channels[sequence % channels.Length];
                    var now = time.NowMs();
                    var message = new MessageDto(sequence + 1, channel.ChannelId, "text", sender,
                        $"bench:{sequence}:{DateTime.UtcNow.Ticks}:{padding}", null, null, null, now, now);
                    await events.PublishAsync([new ChatEvent
                    {
                        AppId = appId,
                        TopicKind = EventTopicKind.ChannelAll,
                        TargetId = channel.ChannelId,
                        // Open channels fan out through the same path, on their own topic and category.
                        ChannelType = channel.Type,
                        Payload = new EventPayload(channel.Type == OpenChannelService.OpenType
                            ? EventCategories.OpenMessageSend : EventCategories.MessageSend, Channel: channel, Message: message),
                    }], cancellationToken);
                    sequence++;
                    Interlocked.Increment(ref _published);
                }
                await Task.Delay(1, cancellationToken);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e)
        {
            logger.LogError(e, "Fan-out generator stopped");
        }
    }
}
