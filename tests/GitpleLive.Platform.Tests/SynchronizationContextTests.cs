using GitpleLive.Chat;

namespace GitpleLive.Platform.Tests;

/// <summary>
/// Every await inside the client uses <c>ConfigureAwait(false)</c>: a caller that blocks on a call from a
/// single-threaded context (a UI thread, classic ASP.NET) must not deadlock.
/// </summary>
public sealed class SynchronizationContextTests : ServerTest
{
    /// <summary>A context whose queued continuations never run, as on a UI thread blocked in <c>.Result</c>.</summary>
    private sealed class BlockedContext : SynchronizationContext
    {
        public int Posted;

        public override void Post(SendOrPostCallback d, object? state) => Interlocked.Increment(ref Posted);

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();
    }

    /// <summary>Starts <paramref name="call"/> with <see cref="BlockedContext"/> current; it must finish without the context.</summary>
    private static async Task RunBlockedAsync(Func<Task> call)
    {
        var context = new BlockedContext();
        Task task;
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            task = call();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
        var finished = await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(15))) == task;
        Assert.True(finished, $"the call waited for the caller's context ({context.Posted} continuation(s) queued on it)");
        await task;
        Assert.Equal(0, context.Posted);
    }

    [Fact]
    public async Task Calls_and_refusals_do_not_need_the_callers_context()
    {
        await Client.CreateUserAsync("ctx", "Ctx");
        await RunBlockedAsync(() => Client.GetUserAsync("ctx"));
        await RunBlockedAsync(() => Client.DeleteMessageAsync("nowhere", 1).ContinueWith(t =>
            Assert.IsType<GitpleLiveException>(t.Exception!.InnerException), TaskScheduler.Default));
        await RunBlockedAsync(() => Client.GetMessagesAsync("nowhere").ContinueWith(t =>
            Assert.IsType<GitpleLiveException>(t.Exception!.InnerException), TaskScheduler.Default));
    }

    [Fact]
    public async Task Page_walks_do_not_need_the_callers_context()
    {
        foreach (var id in new[] { "w1", "w2", "w3" }) await Client.CreateUserAsync(id, id);
        await Client.CreateChannelAsync(new ChannelCreateOptions { ChannelId = "walk", Name = "Walk", Members = ["w1"] });
        var users = new List<PlatformUser>();
        await RunBlockedAsync(async () =>
        {
            await foreach (var u in Client.GetUsersAsync(pageSize: 1).ConfigureAwait(false)) users.Add(u);
        });
        Assert.Equal(3, users.Count);
        await RunBlockedAsync(async () =>
        {
            await foreach (var _ in Client.GetChannelsAsync(pageSize: 1).ConfigureAwait(false)) { }
        });
    }
}
