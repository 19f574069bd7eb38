using System.Text.Json;

namespace GitpleLive.Server.Push;

/// <summary>
/// The send path's part of push: one outbox row per message, written in the send's own transaction, only for group
/// channels of apps with a push provider. An app without one costs a dictionary lookup (its settings are cached).
/// </summary>
public sealed class PushOutbox(PushSettingsService settings, PushSignal signal)
{
    /// <summary>
    /// Stores the message's outbox row in <paramref name="scope"/>'s transaction (committed with the send) when the app pushes.
    /// </summary>
    public ValueTask AddAsync(WriteScope scope, string appId, ChannelRow channel, object message, long messageId, string senderId, long now,
        CancellationToken cancellationToken = default)
    {
        if (channel.Type != "group") return ValueTask.CompletedTask;
        if (settings.TryGetCached(appId, out var config))
        {
            return config.Any ? AddAsync(scope, appId, channel, message, messageId, senderId, now) : ValueTask.CompletedTask;
        }
        return LoadAndAddAsync(scope, appId, channel, message, messageId, senderId, now, cancellationToken);
    }

    private async ValueTask LoadAndAddAsync(WriteScope scope, string appId, ChannelRow channel, object message, long messageId,
        string senderId, long now, CancellationToken cancellationToken)
    {
        if ((await settings.LoadAsync(scope.Db, appId, cancellationToken)).Any)
            await AddAsync(scope, appId, channel, message, messageId, senderId, now);
    }

    // A prepared statement, not an EF Core entity: the change tracker and SaveChanges per send halved the send rate of a
    // node with push configured (bench/RESULTS.md, push: 0.48 of the rate without).
    private const string InsertSql = """
        INSERT INTO push_outbox ("AppId", "ChannelId", "MessageId", "SenderId", "Payload", "Targets", "Attempts", "CreatedAt",
            "NextAttemptAt", "LeaseUntil", "LeaseToken")
        VALUES (@a, @c, @m, @s, @p, NULL, 0, @now, @now, 0, NULL)
        """;

    private static readonly (string, System.Data.DbType)[] InsertParameters =
    [
        ("@a", System.Data.DbType.String), ("@c", System.Data.DbType.String), ("@m", System.Data.DbType.Int64),
        ("@s", System.Data.DbType.String), ("@p", System.Data.DbType.String), ("@now", System.Data.DbType.Int64),
    ];

    private async ValueTask AddAsync(WriteScope scope, string appId, ChannelRow channel, object message, long messageId, string senderId,
        long now)
    {
        var payload = new EventPayload(EventCategories.MessageSend, Channel: ChannelService.ToDto(channel), Message: message)
        {
            AppId = appId,
        };
        var insert = scope.Command(InsertSql, InsertParameters);
        var p = insert.Parameters;
        p[0].Value = appId;
        p[1].Value = channel.ChannelId;
        p[2].Value = messageId;
        p[3].Value = senderId;
        p[4].Value = JsonSerializer.Serialize(payload, ApiJson.Options);
        p[5].Value = now;
        await insert.ExecuteNonQueryAsync();
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
