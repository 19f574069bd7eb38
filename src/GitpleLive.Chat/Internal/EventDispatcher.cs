using System.Threading.Channels;

namespace GitpleLive.Chat.Internal;

/// <summary>
/// Runs user event handlers one at a time, in the order the events were posted, on a task of its own:
/// the MQTT receive loop only posts, so a slow or throwing handler never stalls the connection.
/// The queue is unbounded; a handler that falls behind for good only costs memory, never events.
/// </summary>
internal sealed class EventDispatcher : IAsyncDisposable
{
    private static readonly AsyncLocal<bool> OnDispatcher = new();

    private readonly Channel<Action> _queue = System.Threading.Channels.Channel.CreateUnbounded<Action>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
    });

    private readonly Action<Exception> _onHandlerError;
    private readonly Task _loop;

    public EventDispatcher(Action<Exception> onHandlerError)
    {
        _onHandlerError = onHandlerError;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>True while the current code runs inside an event handler.</summary>
    public static bool IsOnDispatcher => OnDispatcher.Value;

    /// <summary>Queues a raise; returns false once the dispatcher is closed.</summary>
    public bool Post(Action raise) => _queue.Writer.TryWrite(raise);

    /// <summary>Completes when every action posted before the call has run.</summary>
    public Task DrainAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!Post(() => done.TrySetResult())) done.TrySetResult();
        return done.Task;
    }

    private async Task RunAsync()
    {
        OnDispatcher.Value = true;
        await foreach (var raise in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                raise();
            }
            catch (Exception e)
            {
                try { _onHandlerError(e); }
                catch { /* an error handler that throws has nobody left to tell */ }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        // From inside a handler the loop cannot finish before this call returns: do not wait for it.
        if (!IsOnDispatcher) await _loop.ConfigureAwait(false);
    }
}
