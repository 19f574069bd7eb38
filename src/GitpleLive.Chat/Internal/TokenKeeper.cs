namespace GitpleLive.Chat.Internal;

/// <summary>
/// One session's SDK token: the current token and its end, when to replace it, and the refresh loop
/// (PROTOCOL §4: before connecting, after every MQTT connect, and when less than the threshold is left at a check).
/// Every time decision reads the injected <see cref="TimeProvider"/>, so tests can move the clock.
/// </summary>
internal sealed class TokenKeeper
{
    /// <summary>A token this close to its end is not offered as an MQTT password; a fresh one is fetched first.</summary>
    private static readonly TimeSpan ConnectMargin = TimeSpan.FromMinutes(1);

    private readonly object _lock = new();
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private readonly Func<CancellationToken, Task<TokenResponse>> _fetch;
    private readonly TimeProvider _time;
    private string? _token;
    private long _expiresAt;
    private bool _refused;

    /// <param name="fetch">Obtains a new token from the server (with the session token, or by client id).</param>
    /// <param name="time">The clock expiry is measured on.</param>
    public TokenKeeper(Func<CancellationToken, Task<TokenResponse>> fetch, TimeProvider time)
    {
        _fetch = fetch;
        _time = time;
    }

    public string? Token
    {
        get { lock (_lock) return _token; }
    }

    /// <summary>When <see cref="Token"/> expires, Unix milliseconds; 0 before the first token.</summary>
    public long ExpiresAt
    {
        get { lock (_lock) return _expiresAt; }
    }

    /// <summary>Whether the broker refused the current token (CONNACK 4 or 5) since it was obtained.</summary>
    public bool WasRefused
    {
        get { lock (_lock) return _refused; }
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Records a CONNACK refusal, so the next connect attempt fetches a new token first.</summary>
    public void MarkRefused()
    {
        lock (_lock) _refused = true;
    }

    /// <summary>Whether the token is missing, refused or too close to its end to be offered as MQTT password.</summary>
    public bool NeedsTokenBeforeConnect()
    {
        lock (_lock) return _token is null || _refused || _expiresAt - NowMs < ConnectMargin.TotalMilliseconds;
    }

    /// <summary>Whether less than <paramref name="threshold"/> of validity is left.</summary>
    public bool IsDue(TimeSpan threshold)
    {
        lock (_lock) return _expiresAt - NowMs < threshold.TotalMilliseconds;
    }

    /// <summary>Obtains a fresh token; concurrent calls run one after the other.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var token = await _fetch(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(token.Token))
                throw new GitpleLiveException(GitpleLiveErrorCode.UnknownError, "the server answered without a token");
            lock (_lock)
            {
                _token = token.Token;
                _expiresAt = token.ExpiresAt;
                _refused = false;
            }
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <summary>
    /// Every <paramref name="interval"/> (on the injected clock): refreshes the token when less than
    /// <paramref name="threshold"/> is left and <paramref name="canRefresh"/> says the session is connected.
    /// Runs until <paramref name="cancellationToken"/> is cancelled; failures go to <paramref name="onError"/>.
    /// </summary>
    public Task RunAsync(TimeSpan interval, TimeSpan threshold, Func<bool> canRefresh, Action<GitpleLiveException> onError,
        CancellationToken cancellationToken)
    {
        // The timer starts here, on the caller's thread, so the first check is one interval after the session started
        // on the injected clock, even when the clock moves before the loop's first turn on the thread pool.
        var timer = new PeriodicTimer(interval, _time);
        return Task.Run(() => LoopAsync(timer, threshold, canRefresh, onError, cancellationToken), CancellationToken.None);
    }

    private async Task LoopAsync(PeriodicTimer timer, TimeSpan threshold, Func<bool> canRefresh, Action<GitpleLiveException> onError,
        CancellationToken cancellationToken)
    {
        using var _ = timer;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!canRefresh() || !IsDue(threshold)) continue;
                try
                {
                    await RefreshAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (GitpleLiveException e)
                {
                    onError(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Session over.
        }
    }
}
