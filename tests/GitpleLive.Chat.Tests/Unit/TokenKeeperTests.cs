using GitpleLive.Chat.Internal;
using Microsoft.Extensions.Time.Testing;

namespace GitpleLive.Chat.Tests.Unit;

/// <summary>When the SDK token is replaced, decided on a fake clock (no real token has to run out).</summary>
public sealed class TokenKeeperTests : IDisposable
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000);
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Threshold = TimeSpan.FromHours(1);
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);

    private readonly FakeTimeProvider _time = new(Start);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _ticks = new(0);
    private readonly List<GitpleLiveException> _errors = [];
    private TaskCompletionSource _fetched = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _fetches;
    private volatile bool _connected = true;

    private TokenKeeper NewKeeper() => new(_ =>
    {
        var n = Interlocked.Increment(ref _fetches);
        var token = new TokenResponse($"t{n}", (_time.GetUtcNow() + Lifetime).ToUnixTimeMilliseconds());
        _fetched.TrySetResult();
        return Task.FromResult(token);
    }, _time);

    private Task RunLoop(TokenKeeper keeper) => keeper.RunAsync(Interval, Threshold, () =>
    {
        _ticks.Release();
        return _connected;
    }, _errors.Add, _stop.Token);

    /// <summary>Moves the clock one check interval and waits until the loop has looked at the token.</summary>
    private async Task TickAsync()
    {
        _time.Advance(Interval);
        Assert.True(await _ticks.WaitAsync(TimeSpan.FromSeconds(10)), "the refresh loop did not tick");
    }

    [Fact]
    public async Task The_token_is_refreshed_at_the_first_check_with_less_than_the_threshold_left()
    {
        var keeper = NewKeeper();
        await keeper.RefreshAsync(CancellationToken.None);
        Assert.Equal((Start + Lifetime).ToUnixTimeMilliseconds(), keeper.ExpiresAt);
        _fetched = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var loop = RunLoop(keeper);

        // Checks at +10 … +60 min: an hour or more is left, nothing happens.
        for (var i = 1; i <= 6; i++) await TickAsync();
        // The check at +70 min runs only after the one at +60 min finished, so the count is that decision's.
        await TickAsync();
        await _fetched.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, _fetches);
        Assert.Equal("t2", keeper.Token);
        Assert.Equal((Start + TimeSpan.FromMinutes(70) + Lifetime).ToUnixTimeMilliseconds(), keeper.ExpiresAt);
        Assert.Empty(_errors);

        await _stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task No_refresh_while_the_session_is_not_connected()
    {
        var keeper = NewKeeper();
        await keeper.RefreshAsync(CancellationToken.None);
        _connected = false;
        var loop = RunLoop(keeper);
        for (var i = 1; i <= 12; i++) await TickAsync(); // two hours: the token has run out meanwhile
        await TickAsync(); // the decision of the twelfth check is done
        Assert.Equal(1, _fetches);

        _connected = true;
        _fetched = new(TaskCreationOptions.RunContinuationsAsynchronously);
        await TickAsync();
        await _fetched.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, _fetches);
        await _stop.CancelAsync();
        await loop.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Before_a_connect_a_token_within_a_minute_of_its_end_or_refused_is_replaced()
    {
        var keeper = NewKeeper();
        Assert.True(keeper.NeedsTokenBeforeConnect()); // none yet
        await keeper.RefreshAsync(CancellationToken.None);
        Assert.False(keeper.NeedsTokenBeforeConnect());
        _time.Advance(Lifetime - TimeSpan.FromSeconds(61));
        Assert.False(keeper.NeedsTokenBeforeConnect());
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(keeper.NeedsTokenBeforeConnect());

        await keeper.RefreshAsync(CancellationToken.None);
        Assert.False(keeper.NeedsTokenBeforeConnect());
        keeper.MarkRefused();
        Assert.True(keeper.NeedsTokenBeforeConnect());
        await keeper.RefreshAsync(CancellationToken.None);
        Assert.False(keeper.WasRefused);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _ticks.Dispose();
    }
}
