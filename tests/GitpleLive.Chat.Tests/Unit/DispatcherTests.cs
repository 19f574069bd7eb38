using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat.Tests.Unit;

public class DispatcherTests
{
    [Fact]
    public async Task Handlers_run_in_order_on_their_own_task_and_a_throwing_one_is_reported()
    {
        var errors = new List<Exception>();
        await using var dispatcher = new EventDispatcher(errors.Add);
        var order = new List<int>();
        var poster = Environment.CurrentManagedThreadId;
        var onDispatcher = false;
        for (var i = 0; i < 100; i++)
        {
            var n = i;
            dispatcher.Post(() =>
            {
                if (n == 50) throw new InvalidOperationException("boom");
                onDispatcher |= EventDispatcher.IsOnDispatcher;
                order.Add(n);
            });
        }
        await dispatcher.DrainAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Enumerable.Range(0, 100).Where(n => n != 50), order);
        Assert.True(onDispatcher);
        Assert.False(EventDispatcher.IsOnDispatcher);
        Assert.Equal("boom", Assert.Single(errors).Message);
    }

    [Fact]
    public async Task A_slow_handler_never_blocks_posting()
    {
        await using var dispatcher = new EventDispatcher(_ => { });
        using var release = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        var ran = 0;
        try
        {
            // The slow handler is posted from the same task as the rest: if Post ran it, posting would wait for it.
            var posting = Task.Run(() =>
            {
                dispatcher.Post(() =>
                {
                    entered.Set();
                    release.Wait(TimeSpan.FromSeconds(30));
                });
                for (var i = 0; i < 10_000; i++) dispatcher.Post(() => Interlocked.Increment(ref ran));
            });
            await posting.WaitAsync(TimeSpan.FromSeconds(5));
            Assert.True(entered.Wait(TimeSpan.FromSeconds(5)), "the slow handler never ran");
            // Everything posted behind the slow handler waits for it, in order.
            Assert.Equal(0, Volatile.Read(ref ran));
        }
        finally
        {
            release.Set();
        }
        await dispatcher.DrainAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(10_000, Volatile.Read(ref ran));
    }

    [Fact]
    public async Task Errors_from_handlers_reach_the_client_error_event()
    {
        await using var client = new ChatClient(new ChatClientOptions { Host = "127.0.0.1:9", AppId = "app", UseTls = false });
        var error = new TaskCompletionSource<ChatErrorEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Error += (_, e) => error.TrySetResult(e);
        client.Core.Dispatcher.Post(() => throw new InvalidOperationException("handler failed"));
        var args = await error.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(60999, args.Exception.Code);
        Assert.IsType<InvalidOperationException>(args.Exception.InnerException);
    }
}
