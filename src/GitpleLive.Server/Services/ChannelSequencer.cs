namespace GitpleLive.Server.Services;

/// <summary>
/// Orders sends within a channel: a send holds its channel's turn from before its message id is
/// assigned until its event is published, so subscribers receive <c>group:message_send</c> in
/// <c>message_id</c> order (clients de-duplicate by "last id seen" and would drop a late lower id).
/// In-process, channels hash onto a fixed set of slots. When several nodes share PostgreSQL and
/// Redis, the turn is also a PostgreSQL advisory lock on the channel, held until the event has been
/// handed to Redis, so the order holds across nodes too.
/// </summary>
public sealed class ChannelSequencer(ChatServerOptions options, IDbContextFactory<ChatDbContext> contexts)
{
    private readonly SemaphoreSlim[] _slots = Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly bool _acrossNodes = !string.IsNullOrEmpty(options.Redis) && options.StorageProvider.StartsWith("postgres",
        StringComparison.OrdinalIgnoreCase);

    public async ValueTask<Turn> EnterAsync(string appId, string channelId, CancellationToken cancellationToken)
    {
        var slot = _slots[(uint)HashCode.Combine(appId, channelId) % (uint)_slots.Length];
        await slot.WaitAsync(cancellationToken);
        if (!_acrossNodes) return new Turn(slot, null, 0);
        ChatDbContext? db = null;
        try
        {
            db = await contexts.CreateDbContextAsync(cancellationToken);
            await db.Database.OpenConnectionAsync(cancellationToken);
            var key = LockKey(appId, channelId);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({key})", cancellationToken);
            return new Turn(slot, db, key);
        }
        catch
        {
            if (db is not null) await db.DisposeAsync();
            slot.Release();
            throw;
        }
    }

    /// <summary>A stable 64-bit key for the channel (the same on every node, unlike string.GetHashCode).</summary>
    private static long LockKey(string appId, string channelId)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(appId + "\n" + channelId);
        return BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData(bytes), 0);
    }

    public sealed class Turn(SemaphoreSlim slot, ChatDbContext? db, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                if (db is not null)
                {
                    await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({key})");
                    await db.DisposeAsync();
                }
            }
            finally
            {
                slot.Release();
            }
        }
    }
}
