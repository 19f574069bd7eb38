using System.Collections.Concurrent;
using System.Text.Json;

namespace GitpleLive.Server.Push;

/// <summary>
/// Sends what the push outbox holds, apart from the send path (a slow or failing provider delays no send). Any number of
/// nodes may run it on one store: each claims a batch of due rows with a lease (an UPDATE that only takes rows whose
/// lease has run out, so two nodes never hold one row), renews it while working, and deletes a row when its pushes are
/// done — or keeps it with the deliveries left, for a retry with exponential backoff and jitter. Recipients are resolved
/// when the row is first taken: the channel's members, less the sender, anyone with a live connection anywhere in the
/// cluster (<see cref="IPresence"/>) and anyone whose preference is <c>off</c>; <c>mentions</c> keeps only mentioned
/// members and participants of the message's thread.
/// </summary>
public sealed partial class PushDispatcher(
    ChatStore store, PushSettingsService settings, IPresence presence, DeviceTokenService deviceTokens,
    IEnumerable<IPushProvider> providers, PushOptions options, PushSignal signal, TimeProvider time, ILogger<PushDispatcher> logger)
    : BackgroundService
{
    private readonly Dictionary<string, IPushProvider> _providers = providers.ToDictionary(p => p.Name, StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _appLimits = new(StringComparer.Ordinal);

    /// <summary>A retry's state, stored in <see cref="PushOutboxRow.Targets"/>: the notification and the devices left.</summary>
    internal sealed record RetryState(string Title, string Body, List<PushTarget> Targets);

    /// <summary>What becomes of a claimed row: deleted, or kept for another attempt (new targets, attempts, due time).</summary>
    private sealed record Finished(long Id, bool Delete, string? Targets = null, int Attempts = 0, long NextAttemptAt = 0);

    protected override async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        if (!options.EnableDispatcher) return;
        await Task.Yield();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // Woken by a send on this node: linger a moment, so the send has committed and the messages of a busy
                // moment are claimed and finished together (two store writes per batch, not per message).
                if (await signal.WaitAsync(options.PollInterval, cancellationToken))
                    await Task.Delay(options.BatchDelay, cancellationToken);
                while (await RunOnceAsync(cancellationToken) >= options.BatchSize) { }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                LogDispatchFailed(e);
                try { await Task.Delay(options.PollInterval, cancellationToken); } catch (OperationCanceledException) { break; }
            }
        }
    }

    /// <summary>Claims one batch of due rows and pushes them; returns how many rows it claimed.</summary>
    internal async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var lease = Guid.NewGuid().ToString("N");
        var rows = await ClaimAsync(lease, cancellationToken);
        if (rows.Count == 0) return 0;
        using var renewing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var renewal = RenewAsync(lease, renewing.Token);
        Finished?[] finished;
        try
        {
            var batch = new BatchReads();
            finished = await Task.WhenAll(rows.Select(r => ProcessAsync(r, batch, cancellationToken)));
        }
        finally
        {
            await renewing.CancelAsync();
            await renewal;
        }
        // One write for the whole batch (rows of a shutdown are left to their lease).
        var done = finished.Where(f => f is { Delete: true }).Select(f => f!.Id).ToList();
        var kept = finished.Where(f => f is { Delete: false }).Select(f => f!).ToList();
        await store.WriteAsync(async db =>
        {
            if (done.Count > 0)
                await db.PushOutbox.Where(r => done.Contains(r.Id) && r.LeaseToken == lease).ExecuteDeleteAsync(CancellationToken.None);
            foreach (var f in kept)
                await db.PushOutbox.Where(r => r.Id == f.Id && r.LeaseToken == lease).ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.Targets, f.Targets)
                    .SetProperty(r => r.Attempts, f.Attempts)
                    .SetProperty(r => r.NextAttemptAt, f.NextAttemptAt)
                    .SetProperty(r => r.LeaseToken, (string?)null)
                    .SetProperty(r => r.LeaseUntil, 0L), CancellationToken.None);
        }, CancellationToken.None);
        Operations.ChatMetrics.PushQueued(-done.Count);
        return rows.Count;
    }

    private async Task<List<PushOutboxRow>> ClaimAsync(string lease, CancellationToken ct)
    {
        var now = time.NowMs();
        var ids = await store.ReadAsync(db => db.PushOutbox
            .Where(r => r.NextAttemptAt <= now && r.LeaseUntil <= now)
            .OrderBy(r => r.NextAttemptAt).ThenBy(r => r.Id)
            .Select(r => r.Id).Take(options.BatchSize).ToListAsync(ct), ct);
        if (ids.Count == 0) return [];
        var until = now + (long)options.LeaseDuration.TotalMilliseconds;
        // The lease condition is checked again by the UPDATE itself: a row another node took meanwhile is not taken.
        var taken = await store.WriteAsync(db => db.PushOutbox
            .Where(r => ids.Contains(r.Id) && r.LeaseUntil <= now)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseToken, lease).SetProperty(r => r.LeaseUntil, until), ct), ct);
        if (taken == 0) return [];
        return await store.ReadAsync(db => db.PushOutbox.Where(r => r.LeaseToken == lease).ToListAsync(ct), ct);
    }

    private async Task RenewAsync(string lease, CancellationToken ct)
    {
        var every = options.LeaseDuration / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, ct);
                var until = time.NowMs() + (long)options.LeaseDuration.TotalMilliseconds;
                await store.WriteAsync(db => db.PushOutbox.Where(r => r.LeaseToken == lease)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.LeaseUntil, until), CancellationToken.None), CancellationToken.None);
            }
        }
        catch (OperationCanceledException) { }
        catch (Exception e) { LogDispatchFailed(e); }
    }

    /// <summary>
    /// The reads one batch shares: a channel's members and their tokens are read once for all of its messages in the batch
    /// (a busy channel's messages arrive together), presence and preferences are applied per message.
    /// </summary>
    private sealed class BatchReads
    {
        public readonly ConcurrentDictionary<(string App, string Channel), Task<(List<(string UserId, string? Push)> Members,
            ILookup<string, DeviceToken> Tokens)>> Channels = new();
    }

    private async Task<Finished?> ProcessAsync(PushOutboxRow row, BatchReads batch, CancellationToken ct)
    {
        try
        {
            var config = await settings.GetAsync(row.AppId, ct);
            PushMessage message;
            try { message = PushMessage.Parse(row.Payload); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
            {
                LogBadRow(row.Id, e.Message);
                return Finish(row, retry: false, null);
            }
            var state = row.Targets is null
                ? await ResolveAsync(row, message, batch, ct)
                : JsonSerializer.Deserialize<RetryState>(row.Targets, ApiJson.Options)!;
            if (!config.Any || state.Targets.Count == 0) return Finish(row, retry: false, null);
            var notification = new PushNotification(row.AppId, row.ChannelId, row.MessageId, state.Title, state.Body, row.Payload);
            var limit = _appLimits.GetOrAdd(row.AppId, _ => new SemaphoreSlim(options.MaxConcurrencyPerApp));
            var results = await Task.WhenAll(state.Targets.Select(t => DeliverAsync(config, t, notification, row.CreatedAt, limit, ct)));
            var invalid = new List<string>();
            var retry = new List<PushTarget>();
            for (var i = 0; i < results.Length; i++)
            {
                var (target, result) = (state.Targets[i], results[i]);
                switch (result.Outcome)
                {
                    case PushOutcome.InvalidToken:
                        invalid.Add(target.Token);
                        break;
                    case PushOutcome.Retry:
                        retry.Add(target);
                        break;
                }
            }
            await deviceTokens.ForgetTokensAsync(row.AppId, invalid, ct);
            return Finish(row, retry.Count > 0, state with { Targets = retry });
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: the lease runs out and a node takes the row again.
            return null;
        }
        catch (Exception e)
        {
            LogDispatchFailed(e);
            // Tried again after the backoff, as a provider failure would be.
            return Finish(row, retry: true, null, keepTargets: true);
        }
    }

    private async Task<PushResult> DeliverAsync(PushConfig config, PushTarget target, PushNotification notification, long sentAt,
        SemaphoreSlim limit, CancellationToken ct)
    {
        var name = PushRouting.ProviderFor(config, target.Platform);
        if (name is null || !_providers.TryGetValue(name, out var provider)) return PushResult.Sent; // no way to reach it: nothing to retry
        await limit.WaitAsync(ct);
        PushResult result;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.RequestTimeout);
            try { result = await provider.SendAsync(config, target, notification, timeout.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                result = new(PushOutcome.Retry, $"{name}: no answer within {options.RequestTimeout}");
            }
        }
        finally
        {
            limit.Release();
        }
        switch (result.Outcome)
        {
            case PushOutcome.Sent:
                Operations.ChatMetrics.PushSent(name, time.NowMs() - sentAt);
                break;
            case PushOutcome.InvalidToken:
                LogInvalidToken(notification.AppId, target.UserId, name, result.Error);
                break;
            default:
                Operations.ChatMetrics.PushFailed();
                LogPushFailed(notification.AppId, target.UserId, name, result.Outcome, result.Error);
                break;
        }
        return result;
    }

    /// <summary>
    /// Deletes the row, or — with a retry state, while attempts and age allow — keeps it for the next attempt after the backoff.
    /// <paramref name="keepTargets"/> (an unexpected failure) keeps what the row held, to try it all again.
    /// </summary>
    private Finished Finish(PushOutboxRow row, bool retry, RetryState? state, bool keepTargets = false)
    {
        var now = time.NowMs();
        var attempts = row.Attempts + 1;
        var keep = retry && attempts < options.MaxAttempts && now - row.CreatedAt < (long)options.MaxAge.TotalMilliseconds;
        if (retry && !keep) LogGivenUp(row.AppId, row.MessageId, attempts);
        if (!keep) return new Finished(row.Id, Delete: true);
        var targets = keepTargets ? row.Targets : state is null ? null : JsonSerializer.Serialize(state, ApiJson.Options);
        return new Finished(row.Id, Delete: false, targets, attempts, now + (long)Backoff(attempts).TotalMilliseconds);
    }

    /// <summary>Exponential backoff with "equal jitter": half the doubled delay, plus a random part of the other half.</summary>
    internal TimeSpan Backoff(int attempts)
    {
        var doubled = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30));
        var capped = Math.Min(doubled, options.RetryMaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + Random.Shared.NextDouble() * capped / 2);
    }

    private async Task<(List<(string UserId, string? Push)> Members, ILookup<string, DeviceToken> Tokens)> ChannelReadsAsync(
        string appId, string channelId, CancellationToken ct)
    {
        var members = await store.ReadAsync(async db => (await db.Members.Where(m => m.AppId == appId && m.ChannelId == channelId)
            .Select(m => new { m.UserId, m.PushPreference }).ToListAsync(ct)).Select(m => (m.UserId, m.PushPreference)).ToList(), ct);
        var tokens = await deviceTokens.ForUsersAsync(appId, members.Select(m => m.UserId).ToList(), ct);
        return (members, tokens.ToLookup(t => t.UserId, StringComparer.Ordinal));
    }

    private async Task<RetryState> ResolveAsync(PushOutboxRow row, PushMessage message, BatchReads batch, CancellationToken ct)
    {
        if (message.ChannelType != "group") return new("", "", []);
        var appId = row.AppId;
        var (members, tokens) = await batch.Channels.GetOrAdd((appId, row.ChannelId), key => ChannelReadsAsync(key.App, key.Channel, ct));
        var mentioned = message.MentionedUserIds.ToHashSet(StringComparer.Ordinal);
        var thread = message.ParentMessageId is { } parent
            ? await ThreadParticipantsAsync(appId, row.ChannelId, parent, ct)
            : [];
        var wanted = members
            .Where(m => m.UserId != row.SenderId && m.Push != PushPreferences.Off && tokens.Contains(m.UserId))
            .Where(m => m.Push != PushPreferences.Mentions || mentioned.Contains(m.UserId) || thread.Contains(m.UserId))
            .Select(m => m.UserId)
            .ToList();
        var title = members.Count == 2 || string.IsNullOrWhiteSpace(message.ChannelName) ? message.SenderName : message.ChannelName;
        var state = new RetryState(Clip(title, 64), Clip(message.Text, 240), []);
        if (wanted.Count == 0) return state;
        var online = (await presence.OnlineAsync(appId, wanted, ct)).ToHashSet(StringComparer.Ordinal);
        var offline = wanted.Where(u => !online.Contains(u)).ToList();
        if (offline.Count == 0) return state;
        state.Targets.AddRange(offline.SelectMany(u => tokens[u]).Select(t => new PushTarget(t.UserId, t.Token, t.Platform)));
        return state;
    }

    /// <summary>Who takes part in a thread: the parent's sender and the senders of its replies.</summary>
    private Task<HashSet<string>> ThreadParticipantsAsync(string appId, string channelId, long parentId, CancellationToken ct) =>
        store.ReadAsync(async db =>
        {
            var ids = await db.Messages
                .Where(m => m.AppId == appId && m.ChannelId == channelId && (m.MessageId == parentId || m.ParentMessageId == parentId))
                .Select(m => m.UserId).Distinct().ToListAsync(ct);
            return ids.ToHashSet(StringComparer.Ordinal);
        }, ct);

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push: {Provider} push to user {UserId} of app {AppId} failed ({Outcome}): {Error}")]
    private partial void LogPushFailed(string appId, string userId, string provider, PushOutcome outcome, string? error);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Push: {Provider} says a token of user {UserId} of app {AppId} is invalid ({Error}); removed")]
    private partial void LogInvalidToken(string appId, string userId, string provider, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Push: gave up on message {MessageId} of app {AppId} after {Attempts} attempts")]
    private partial void LogGivenUp(string appId, long messageId, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Push: outbox row {Id} is unreadable ({Error}); dropped")]
    private partial void LogBadRow(long id, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Push: the dispatcher failed; it tries again")]
    private partial void LogDispatchFailed(Exception e);
}
