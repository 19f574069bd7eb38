using System.Collections.Concurrent;

namespace GitpleLive.Server.Services;

/// <summary>
/// Typing indicators (PROTOCOL §10), never stored: <c>group:typing_start</c> / <c>group:typing_stop</c> (channel, user) on
/// the channel's topic. Per user and channel, at most one event per <see cref="Throttle"/>: a change inside that window is
/// held and the state at its end is sent (so the last word is never lost, and a start and stop within it cost nothing).
/// Typing expires by itself <see cref="Expiry"/> after the last <c>typing: true</c>, with a stop event. Time and timers
/// come from the injected <see cref="TimeProvider"/>. State is per node: a client talking to two nodes may be throttled
/// by each.
/// </summary>
public sealed class TypingService(ChatStore store, IEventPublisher events, TimeProvider time, ILogger<TypingService> log)
    : IDisposable
{
    /// <summary>How long a <c>typing: true</c> lasts without another.</summary>
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(5);

    /// <summary>The least time between two events of one user in one channel.</summary>
    public static readonly TimeSpan Throttle = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<(string App, string Channel, string User), Typist> _typists = new();
    private readonly TimeProvider _time = time;
    private readonly IEventPublisher _events = events;
    private readonly ILogger<TypingService> _log = log;

    /// <summary>How many users are typing or within their throttle window (for tests and diagnostics).</summary>
    public int Tracked => _typists.Count;

    /// <summary>
    /// Sets the caller's typing state in the channel: a member (1008), a manager when the channel is frozen (1009), as
    /// for sending. Answers at once; the event follows now or when the throttle window ends.
    /// </summary>
    public async Task SetAsync(ChatCaller caller, string channelId, bool typing, CancellationToken cancellationToken = default)
    {
        var userId = caller.RequireUserId();
        var ct = cancellationToken;
        var (channel, user) = await store.ReadAsync(async db =>
        {
            var c = await MessageExtras.RequireCanActAsync(db, caller, channelId, ct);
            var u = await db.RequireUserAsync(caller.AppId, userId, ct);
            return (c, UserService.ToDto(u));
        }, ct);
        var key = (caller.AppId, channelId, userId);
        while (true)
        {
            var typist = _typists.GetOrAdd(key, k => new Typist(this, k));
            await typist.Gate.WaitAsync(ct);
            try
            {
                if (typist.Removed) continue;
                typist.Channel = channel;
                typist.User = user;
                typist.Wanted = typing;
                typist.ExpiresAt = typing ? _time.NowMs() + (long)Expiry.TotalMilliseconds : 0;
                await typist.StepAsync(CancellationToken.None);
                return;
            }
            finally
            {
                typist.Gate.Release();
            }
        }
    }

    public void Dispose()
    {
        foreach (var typist in _typists.Values) typist.Timer.Dispose();
        _typists.Clear();
    }

    /// <summary>One user's typing in one channel: what they want shown, what was last sent and when.</summary>
    private sealed class Typist
    {
        private readonly TypingService _owner;
        private readonly (string App, string Channel, string User) _key;
        private bool _published;
        private long? _lastEventAt;

        public Typist(TypingService owner, (string App, string Channel, string User) key)
        {
            _owner = owner;
            _key = key;
            Timer = owner._time.CreateTimer(static s => ((Typist)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        public SemaphoreSlim Gate { get; } = new(1, 1);
        public ITimer Timer { get; }
        public bool Removed { get; private set; }
        public ChannelRow Channel { get; set; } = null!;
        public UserDto User { get; set; } = null!;
        public bool Wanted { get; set; }
        public long ExpiresAt { get; set; }

        private void OnTimer() => _ = OnTimerAsync();

        private async Task OnTimerAsync()
        {
            await Gate.WaitAsync();
            try
            {
                if (!Removed) await StepAsync(CancellationToken.None);
            }
            catch (Exception e)
            {
                _owner._log.LogWarning(e, "typing event of user {User} in channel {Channel} failed", _key.User, _key.Channel);
            }
            finally
            {
                Gate.Release();
            }
        }

        /// <summary>Under <see cref="Gate"/>: sends what is due, then sets the timer for the next moment something may be.</summary>
        public async Task StepAsync(CancellationToken ct)
        {
            var now = _owner._time.NowMs();
            var throttle = (long)Throttle.TotalMilliseconds;
            if (Wanted && now >= ExpiresAt) Wanted = false;
            var windowEnd = _lastEventAt + throttle;
            if (Wanted != _published && (windowEnd is null || now >= windowEnd))
            {
                _published = Wanted;
                _lastEventAt = now;
                windowEnd = now + throttle;
                await _owner._events.PublishAsync([new ChatEvent
                {
                    AppId = _key.App,
                    TopicKind = EventTopicKind.ChannelAll,
                    TargetId = Channel.ChannelId,
                    ChannelType = Channel.Type,
                    Payload = new EventPayload(Wanted ? EventCategories.TypingStart : EventCategories.TypingStop,
                        Channel: ChannelService.ToDto(Channel), User: User),
                }], ct);
            }
            // Next: the end of the throttle window (a held change, or forgetting this typist), or the expiry.
            long? wake = windowEnd is { } w && now < w ? w : null;
            if (Wanted) wake = Math.Min(wake ?? long.MaxValue, ExpiresAt);
            if (wake is { } at)
            {
                Timer.Change(TimeSpan.FromMilliseconds(Math.Max(1, at - now)), Timeout.InfiniteTimeSpan);
            }
            else if (!Wanted && !_published)
            {
                // Idle and past its window: forgotten; a later call starts afresh.
                Removed = true;
                _owner._typists.TryRemove(new KeyValuePair<(string, string, string), Typist>(_key, this));
                Timer.Dispose();
            }
        }
    }
}
