using System.Text.Json;

namespace GitpleLive.Server.Push;

/// <summary>
/// The send path's part of push: one outbox row per message, written in the send's own transaction, only for group
/// channels of apps with a push provider. An app without one costs a dictionary lookup (its settings are cached).
/// </summary>
public sealed class PushOutbox(PushSettingsService settings, PushSignal signal)
{
    /// <summary>Adds the message's outbox row to <paramref name="db"/> (saved and committed with the send) when the app pushes.</summary>
    public ValueTask AddAsync(ChatDbContext db, string appId, ChannelRow channel, object message, long messageId, string senderId, long now,
        CancellationToken cancellationToken = default)
    {
        if (channel.Type != "group") return ValueTask.CompletedTask;
        if (settings.TryGetCached(appId, out var config))
        {
            if (config.Any) Add(db, appId, channel, message, messageId, senderId, now);
            return ValueTask.CompletedTask;
        }
        return LoadAndAddAsync(db, appId, channel, message, messageId, senderId, now, cancellationToken);
    }

    private async ValueTask LoadAndAddAsync(ChatDbContext db, string appId, ChannelRow channel, object message, long messageId,
        string senderId, long now, CancellationToken cancellationToken)
    {
        if ((await settings.LoadAsync(db, appId, cancellationToken)).Any) Add(db, appId, channel, message, messageId, senderId, now);
    }

    private void Add(ChatDbContext db, string appId, ChannelRow channel, object message, long messageId, string senderId, long now)
    {
        var payload = new EventPayload(EventCategories.MessageSend, Channel: ChannelService.ToDto(channel), Message: message)
        {
            AppId = appId,
        };
        db.PushOutbox.Add(new PushOutboxRow
        {
            AppId = appId, ChannelId = channel.ChannelId, MessageId = messageId, SenderId = senderId,
            Payload = JsonSerializer.Serialize(payload, ApiJson.Options), CreatedAt = now, NextAttemptAt = now,
        });
        Operations.ChatMetrics.PushQueued(1);
        signal.Wake();
    }
}

/// <summary>Wakes this node's dispatcher when a push was queued here (it polls besides, for rows of other nodes and retries).</summary>
public sealed class PushSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        if (_signal.CurrentCount == 0)
            try { _signal.Release(); } catch (SemaphoreFullException) { }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
