namespace GitpleLive.Server.Storage;

/// <summary>Serialises writers where the provider needs it (SQLite); a no-op elsewhere.</summary>
public sealed class StoreWriteGate(bool serialize)
{
    private readonly SemaphoreSlim? _lock = serialize ? new SemaphoreSlim(1, 1) : null;

    public async ValueTask<IDisposable?> EnterAsync(CancellationToken cancellationToken)
    {
        if (_lock is null) return null;
        await _lock.WaitAsync(cancellationToken);
        return new Releaser(_lock);
    }

    private sealed class Releaser(SemaphoreSlim s) : IDisposable
    {
        private int _done;
        public void Dispose() { if (Interlocked.Exchange(ref _done, 1) == 0) s.Release(); }
    }
}
