using System.Data;
using System.Data.Common;
using Microsoft.Extensions.Hosting;

namespace GitpleLive.Server.Storage;

/// <summary>
/// SQLite: adds new messages to the full-text index (<c>messages_fts</c>) in batches, off the send's transaction. An FTS5
/// insert per send cost more than the rest of the send's statements together — each commit flushed a new index segment
/// and merged segments (bench/RESULTS.md: a trigger per row 47 µs, a batch every few hundred rows 16 µs, messages alone
/// 10 µs) — so the insert trigger is gone (migration <c>SearchIndexInBatches</c>) and this service indexes every message
/// above <c>messages_fts_state.IndexedThrough</c> every <see cref="ChatServerOptions.SearchIndexInterval"/>, as one write
/// of the <see cref="StoreWriter"/> (so in a batch with the sends, never beside them).
/// <para>
/// Nothing is missed: a search (and the history's <c>content</c> filter) first calls <see cref="CatchUpAsync"/>, which
/// indexes up to the newest committed message before it reads. Edits and deletes of indexed messages keep their triggers
/// (guarded by the watermark: a message not indexed yet is read with its current content when it is). PostgreSQL's GIN
/// index is part of the insert and needs none of this.
/// </para>
/// </summary>
public sealed class SearchIndexer(StoreWriter writer, IDbContextFactory<ChatDbContext> factory, ChatServerOptions options,
    ILogger<SearchIndexer> logger) : BackgroundService
{
    /// <summary>The most messages one index write takes (the rest follow in the next).</summary>
    internal const int MaxRows = 2000;

    private const string NewestSql = "SELECT coalesce(max(\"MessageId\"), 0) FROM messages";
    private const string WatermarkSql = "SELECT \"IndexedThrough\" FROM messages_fts_state WHERE \"Id\" = 1";
    private const string IndexSql = """
        INSERT INTO messages_fts(rowid, "Content")
        SELECT "MessageId", "Content" FROM messages WHERE "MessageId" > @from AND "MessageId" <= @upto ORDER BY "MessageId"
        """;
    private const string AdvanceSql = "UPDATE messages_fts_state SET \"IndexedThrough\" = @upto WHERE \"Id\" = 1";

    private readonly SemaphoreSlim _catchUp = new(1, 1);
    private long _indexedThrough = -1;

    /// <summary>Indexes every message committed before this call; a no-op on PostgreSQL.</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken = default)
    {
        if (options.UsesPostgres) return;
        await _catchUp.WaitAsync(cancellationToken);
        try
        {
            var newest = await NewestAsync(cancellationToken);
            while (_indexedThrough < newest) await IndexAsync(newest, cancellationToken);
        }
        finally
        {
            _catchUp.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        if (options.UsesPostgres) return;
        using var timer = new PeriodicTimer(options.SearchIndexInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await CatchUpAsync(cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The next tick (or the next search) tries again; nothing is lost meanwhile.
                    logger.LogWarning("Indexing new messages for search failed: {Error}", e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: what is not indexed yet is indexed after the next start.
        }
    }

    private async Task<long> NewestAsync(CancellationToken cancellationToken)
    {
        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        if (_indexedThrough < 0) _indexedThrough = await ScalarAsync(connection, WatermarkSql, cancellationToken);
        return await ScalarAsync(connection, NewestSql, cancellationToken);
    }

    private static async Task<long> ScalarAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task IndexAsync(long newest, CancellationToken cancellationToken)
    {
        var from = _indexedThrough;
        // Ids only grow (AUTOINCREMENT, one writer): every id up to newest is committed, and none below it comes later.
        var upto = Math.Min(newest, from + MaxRows);
        await writer.WriteAsync(scope =>
        {
            var index = scope.Command(IndexSql, ("@from", DbType.Int64), ("@upto", DbType.Int64));
            index.Parameters[0].Value = from;
            index.Parameters[1].Value = upto;
            index.ExecuteNonQuery();
            var advance = scope.Command(AdvanceSql, ("@upto", DbType.Int64));
            advance.Parameters[0].Value = upto;
            advance.ExecuteNonQuery();
            return Task.FromResult(true);
        }, cancellationToken: cancellationToken);
        _indexedThrough = upto;
    }
}
