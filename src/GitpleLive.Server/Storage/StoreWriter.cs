using System.Data;
using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace GitpleLive.Server.Storage;

/// <summary>
/// Group commit: one writer task per process runs every write waiting when it wakes in one transaction, each
/// write in a savepoint of its own, so a refusal (or a failure) of one rolls back only that one. A write is
/// answered only after the transaction holding it has committed. On SQLite this is also what keeps one writer at
/// a time; on PostgreSQL it turns N small transactions (N commits, N WAL flushes) into one.
/// <para>
/// A write runs either EF Core work (<see cref="WriteAsync{T}"/>, what <see cref="ChatStore"/> does) or raw
/// statements through <see cref="WriteScope.Command"/> — prepared once on the writer's connection, which the
/// writer keeps open. Its optional after-commit step runs on the writer, in commit order, before any later
/// write is answered: the send path publishes its event there, which puts events in commit (= message id) order.
/// </para>
/// <para>
/// A write that fails with a database error inside a batch (a PostgreSQL deadlock with another node's batch,
/// say) is run once more alone, in a transaction of its own; so is every write of a batch whose commit failed.
/// Work must therefore be re-runnable: it must not change anything outside the store before it returns.
/// </para>
/// <para>
/// A write may raise the events of its change (the <c>events</c> of <see cref="WriteAsync{T}"/>): once its work and its
/// EF Core changes succeeded, the <see cref="IWriteStage"/>s (the webhook deliveries) derive their rows for those events
/// and hold them; a write rolled back drops its rows, and the batch's rows are written in its transaction just before it
/// commits, so they commit with the change or not at all. Publishing the events stays the after-commit step's.
/// </para>
/// </summary>
public sealed class StoreWriter : IAsyncDisposable
{
    private const int MaxBatch = 512;
    private readonly Channel<WriteJob> _queue = Channel.CreateUnbounded<WriteJob>(new UnboundedChannelOptions
    {
        SingleReader = true,
        AllowSynchronousContinuations = false,
    });
    private readonly IDbContextFactory<ChatDbContext> _factory;
    private readonly ILogger<StoreWriter> _logger;
    private readonly IWriteStage[] _stages;
    private readonly Task _loop;
    private WriteScope? _scope;
    private long _largestBatch;
    private long _largestPipeline;

    public StoreWriter(IDbContextFactory<ChatDbContext> factory, ILogger<StoreWriter> logger, IEnumerable<IWriteStage> stages)
    {
        _factory = factory;
        _logger = logger;
        _stages = stages.ToArray();
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in the next batch; its changes tracked by EF Core are saved in its savepoint.
    /// <paramref name="afterCommit"/> is called on the writer once the batch has committed, in commit order; the write
    /// is answered when the task it returns has finished (the writer goes on meanwhile).
    /// </summary>
    /// <param name="refusesBeforeWriting">
    /// The work only writes through <see cref="WriteScope.Command"/> and refuses (throws) only before its first
    /// write: it then needs no savepoint of its own (on PostgreSQL two round trips fewer). Should it fail after
    /// writing all the same, the batch is rolled back and its other writes run again alone.
    /// </param>
    /// <param name="pipelined">
    /// The work's first database call is <see cref="WriteScope.PipelineAsync"/> and it refuses only from what that returns
    /// (so it needs no savepoint either): on PostgreSQL the batch's consecutive pipelined writes then send their statements
    /// in one round trip (one <see cref="Npgsql.NpgsqlBatch"/>) instead of one each.
    /// </param>
    /// <param name="events">
    /// The events of the write's change, from its result: evaluated on the writer once the work and its EF Core changes
    /// succeeded, where the <see cref="IWriteStage"/>s derive what they store from them (webhook deliveries), written in the
    /// batch's transaction if the write stays in it. Publishing them is the after-commit step's.
    /// </param>
    public Task<T> WriteAsync<T>(Func<WriteScope, Task<T>> work, Func<T, ValueTask>? afterCommit = null,
        CancellationToken cancellationToken = default, bool refusesBeforeWriting = false, bool pipelined = false,
        Func<T, IReadOnlyList<ChatEvent>>? events = null)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var job = new WriteJob<T>(work, afterCommit, events, cancellationToken)
        {
            NeedsSavepoint = !(refusesBeforeWriting || pipelined), Pipelined = pipelined,
        };
        if (!_queue.Writer.TryWrite(job)) throw new ObjectDisposedException(nameof(StoreWriter));
        return job.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<WriteJob>(MaxBatch);
        var committed = new List<WriteJob>(MaxBatch);
        var again = new List<WriteJob>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var job))
            {
                if (job.CancellationToken.IsCancellationRequested) job.Fail(new OperationCanceledException(job.CancellationToken));
                else batch.Add(job);
            }
            if (batch.Count == 0) continue;
            await RunBatchAsync(batch, committed, again);
            // Once more, alone: writes that met a database error in the batch (or whose commit failed).
            foreach (var job in again)
            {
                batch.Clear();
                batch.Add(job);
                committed.Clear();
                await RunBatchAsync(batch, committed, null);
            }
            batch.Clear();
            committed.Clear();
            again.Clear();
        }
    }

    /// <summary>The most writes one transaction has held so far.</summary>
    public long LargestBatch => Interlocked.Read(ref _largestBatch);

    /// <summary>The most statements one pipelined round trip has carried so far (PostgreSQL).</summary>
    public long LargestPipeline => Interlocked.Read(ref _largestPipeline);

    private async Task RunBatchAsync(List<WriteJob> batch, List<WriteJob> committed, List<WriteJob>? again)
    {
        var alone = batch.Count == 1;
        if (batch.Count > _largestBatch) Interlocked.Exchange(ref _largestBatch, batch.Count);
        try
        {
            var scope = await ScopeAsync();
            foreach (var stage in _stages) stage.Truncate(0); // nothing held from a batch that did not commit
            await scope.BeginAsync();
            var parked = new List<(WriteJob Job, Task Work)>();
            foreach (var job in batch)
            {
                // Statements run in job order: what earlier writes queued goes out before a write that is not pipelined.
                if (!job.Pipelined && parked.Count > 0 && !await FlushAsync(scope, parked, alone, committed, again)) return;
                var savepoint = !alone && job.NeedsSavepoint;
                if (savepoint) scope.Exec(WriteScope.Savepoint);
                scope.Wrote = false;
                scope.Pipelining = job.Pipelined && scope.IsPostgres;
                Task work;
                try
                {
                    work = job.ExecuteAsync(scope);
                }
                catch (Exception e)
                {
                    work = Task.FromException(e);
                }
                scope.Pipelining = false;
                if (job.Pipelined && !work.IsCompleted && scope.HasPipelined)
                {
                    parked.Add((job, work));
                    continue;
                }
                if (!await SettleAsync(scope, job, work, savepoint, alone, committed, again)) return;
            }
            if (parked.Count > 0 && !await FlushAsync(scope, parked, alone, committed, again)) return;
            // What the stages derived from the batch's committed writes, written at once: one insert, not one per write.
            foreach (var stage in _stages) await stage.FlushAsync(scope);
            await scope.CommitAsync();
        }
        catch (Exception e)
        {
            // The connection or the transaction failed: nothing of the batch is stored. A lone write fails;
            // the writes of a batch are each tried once more alone.
            await DropScopeAsync();
            committed.Clear();
            foreach (var job in batch)
            {
                if (job.IsCompleted) continue;
                if (alone || again is null) job.Fail(e);
                else again.Add(job);
            }
            if (!alone && again is not null)
                _logger.LogWarning("A batch of {Count} writes failed ({Error}); running them one by one", batch.Count, e.Message);
            return;
        }
        if (_stages.Length > 0)
        {
            var staged = 0;
            foreach (var job in committed) staged += job.Staged;
            if (staged > 0) foreach (var stage in _stages) stage.Committed(staged);
        }
        foreach (var job in committed) job.Committed(_logger);
    }

    /// <summary>
    /// Waits for one write's work and saves what it tracked; on failure rolls back its savepoint (or, for a lone write, the
    /// transaction: then false, the batch is over) and fails it or keeps it for a run alone. Throws when only the whole
    /// batch can be undone.
    /// </summary>
    private async Task<bool> SettleAsync(WriteScope scope, WriteJob job, Task work, bool savepoint, bool alone,
        List<WriteJob> committed, List<WriteJob>? again)
    {
        job.Staged = 0;
        var marks = _stages.Length == 0 ? null : job.Marks ??= new int[_stages.Length];
        for (var i = 0; i < _stages.Length; i++) marks![i] = _stages[i].Mark();
        try
        {
            await work;
            if (scope.Db.ChangeTracker.HasChanges()) await scope.Db.SaveChangesAsync(CancellationToken.None);
            // The rows of the events it raised, held for the batch: dropped if it fails now, committed with it.
            var raised = job.RaisedEvents();
            if (raised.Count > 0)
                foreach (var stage in _stages) job.Staged += await stage.StageAsync(scope, raised);
            if (savepoint) scope.Exec(WriteScope.ReleaseSavepoint);
            committed.Add(job);
        }
        catch (Exception e)
        {
            scope.Db.ChangeTracker.Clear();
            for (var i = 0; i < _stages.Length; i++) _stages[i].Truncate(marks![i]);
            job.Staged = 0;
            if (alone)
            {
                // The transaction holds nothing else: roll it back and keep the connection.
                await scope.RollbackAsync();
                job.Fail(e);
                return false;
            }
            if (savepoint)
            {
                scope.Exec(WriteScope.RollbackToSavepoint);
                scope.Exec(WriteScope.ReleaseSavepoint);
            }
            else if (scope.Wrote || e is DbException)
            {
                // A write without a savepoint failed after writing: only the whole batch can be undone.
                throw;
            }
            if (again is not null && e is DbException or DbUpdateException) again.Add(job);
            else job.Fail(e);
        }
        scope.Db.ChangeTracker.Clear();
        return true;
    }

    /// <summary>
    /// Sends the statements the parked (pipelined) writes queued, in one round trip, then hands each write its row and
    /// settles it before the next one goes on (their remaining work shares the connection, so one at a time).
    /// </summary>
    private async Task<bool> FlushAsync(WriteScope scope, List<(WriteJob Job, Task Work)> parked, bool alone,
        List<WriteJob> committed, List<WriteJob>? again)
    {
        if (parked.Count > _largestPipeline) Interlocked.Exchange(ref _largestPipeline, parked.Count);
        await scope.FlushPipelineAsync();
        foreach (var (job, work) in parked)
        {
            scope.Wrote = true; // its statement ran; a failure from here on is the batch's
            scope.ReleaseNext();
            if (!await SettleAsync(scope, job, work, savepoint: false, alone, committed, again)) return false;
        }
        parked.Clear();
        return true;
    }

    private async ValueTask<WriteScope> ScopeAsync()
    {
        if (_scope is not null) return _scope;
        var db = await _factory.CreateDbContextAsync();
        // Each write has its savepoint already; EF Core's own around SaveChanges would double the statements.
        db.Database.AutoSavepointsEnabled = false;
        await db.Database.OpenConnectionAsync();
        return _scope = new WriteScope(db);
    }

    private async ValueTask DropScopeAsync()
    {
        var scope = _scope;
        _scope = null;
        if (scope is null) return;
        try
        {
            await scope.DisposeAsync();
        }
        catch (Exception e)
        {
            _logger.LogDebug(e, "Closing the writer's connection failed");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop;
        await DropScopeAsync();
    }

    private abstract class WriteJob(CancellationToken cancellationToken)
    {
        public CancellationToken CancellationToken { get; } = cancellationToken;
        public bool NeedsSavepoint { get; init; } = true;
        public bool Pipelined { get; init; }
        /// <summary>The rows the stages added for the events this write raised (this attempt).</summary>
        public int Staged { get; set; }
        /// <summary>Each stage's <see cref="IWriteStage.Mark"/> before this write staged (the writer's only).</summary>
        public int[]? Marks { get; set; }
        public abstract Task ExecuteAsync(WriteScope scope);
        /// <summary>The events of this attempt's result (none without an <c>events</c> function).</summary>
        public abstract IReadOnlyList<ChatEvent> RaisedEvents();
        public abstract void Committed(ILogger logger);
        public abstract void Fail(Exception e);
        public abstract bool IsCompleted { get; }
    }

    private sealed class WriteJob<T>(Func<WriteScope, Task<T>> work, Func<T, ValueTask>? afterCommit,
        Func<T, IReadOnlyList<ChatEvent>>? events, CancellationToken cancellationToken) : WriteJob(cancellationToken)
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _result = default!;

        public Task<T> Task => _done.Task;

        public override async Task ExecuteAsync(WriteScope scope) => _result = await work(scope);

        public override IReadOnlyList<ChatEvent> RaisedEvents() => events is null ? [] : events(_result);

        public override void Committed(ILogger logger)
        {
            if (afterCommit is null)
            {
                _done.TrySetResult(_result);
                return;
            }
            ValueTask step;
            try
            {
                // Called on the writer, in commit order; what it then waits for (a network round trip) the writer does not.
                step = afterCommit(_result);
            }
            catch (Exception e)
            {
                step = ValueTask.FromException(e);
            }
            if (step.IsCompletedSuccessfully) _done.TrySetResult(_result);
            else _ = FinishAsync(step, logger);
        }

        private async Task FinishAsync(ValueTask step, ILogger logger)
        {
            try
            {
                await step;
            }
            catch (Exception e)
            {
                // Stored and committed: the answer stands whatever happens after.
                logger.LogError(e, "A step after a committed write failed");
            }
            _done.TrySetResult(_result);
        }

        public override void Fail(Exception e) => _done.TrySetException(e);

        public override bool IsCompleted => _done.Task.IsCompleted;
    }
}

/// <summary>
/// What a write of a <see cref="StoreWriter"/> batch works with: the batch's EF Core context (its transaction
/// open) and prepared raw commands on the same connection and transaction.
/// </summary>
public sealed class WriteScope : IAsyncDisposable
{
    internal const string Savepoint = "SAVEPOINT w";
    internal const string ReleaseSavepoint = "RELEASE SAVEPOINT w";
    internal const string RollbackToSavepoint = "ROLLBACK TO SAVEPOINT w";
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private readonly DbConnection _connection;
    private IDbContextTransaction? _transaction;

    internal WriteScope(ChatDbContext db)
    {
        Db = db;
        _connection = db.Database.GetDbConnection();
        IsPostgres = !db.Database.IsSqlite();
    }

    public ChatDbContext Db { get; }

    public bool IsPostgres { get; }

    /// <summary>Whether the current write was handed a command that changes data (anything but a SELECT).</summary>
    internal bool Wrote { get; set; }

    /// <summary>
    /// The command for <paramref name="sql"/>, prepared on first use with one parameter per name (of the given
    /// types) and bound to the batch's transaction: set its parameters' values by position and execute it.
    /// </summary>
    public DbCommand Command(string sql, params ReadOnlySpan<(string Name, DbType Type)> parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, type) in parameters)
            {
                var p = command.CreateParameter();
                p.ParameterName = name;
                p.DbType = type;
                command.Parameters.Add(p);
            }
            command.Transaction = _transaction?.GetDbTransaction();
            command.Prepare();
            _commands[sql] = command;
        }
        command.Transaction = _transaction?.GetDbTransaction();
        if (!sql.StartsWith("SELECT", StringComparison.Ordinal)) Wrote = true;
        return command;
    }

    internal void Exec(string sql) => Command(sql).ExecuteNonQuery();

    private readonly List<(Npgsql.NpgsqlBatchCommand Command, TaskCompletionSource<object?[]?> Row)> _pipeline = [];
    private readonly Queue<(TaskCompletionSource<object?[]?> Row, object?[]? Values)> _rows = new();

    /// <summary>Whether the current write may queue a statement with <see cref="PipelineAsync"/> (PostgreSQL, pipelined writes).</summary>
    public bool Pipelining { get; internal set; }

    internal bool HasPipelined => _pipeline.Count > 0;

    /// <summary>
    /// PostgreSQL, in a write flagged pipelined: queues <paramref name="sql"/> (parameters named and typed as given, values
    /// set by <paramref name="bind"/> in that order) to be sent with the batch's other queued statements in one round trip.
    /// The task gives the first row's values (<see cref="DBNull"/> for nulls), or null when the statement returned none; it
    /// completes once the writer has sent the statements, on the writer.
    /// </summary>
    public Task<object?[]?> PipelineAsync(string sql, ReadOnlySpan<(string Name, DbType Type)> parameters, Action<IList<object?>> bind)
    {
        if (!Pipelining) throw new InvalidOperationException("only a pipelined write on PostgreSQL may pipeline a statement");
        var command = new Npgsql.NpgsqlBatchCommand(sql);
        var values = new object?[parameters.Length];
        bind(values);
        for (var i = 0; i < parameters.Length; i++)
            command.Parameters.Add(new Npgsql.NpgsqlParameter(parameters[i].Name, parameters[i].Type)
            {
                Value = values[i] ?? DBNull.Value,
            });
        // Completed by ReleaseNext on the writer; the work goes on inline, before the next write is settled.
        var row = new TaskCompletionSource<object?[]?>();
        _pipeline.Add((command, row));
        Wrote = true;
        return row.Task;
    }

    /// <summary>Sends the queued statements in one batch and keeps each one's first row for <see cref="ReleaseNext"/>.</summary>
    internal async Task FlushPipelineAsync()
    {
        try
        {
            await using var batch = new Npgsql.NpgsqlBatch((Npgsql.NpgsqlConnection)_connection,
                (Npgsql.NpgsqlTransaction?)_transaction?.GetDbTransaction());
            foreach (var (command, _) in _pipeline) batch.BatchCommands.Add(command);
            await using var reader = await batch.ExecuteReaderAsync();
            foreach (var (_, row) in _pipeline)
            {
                object?[]? values = null;
                if (await reader.ReadAsync())
                {
                    values = new object?[reader.FieldCount];
                    reader.GetValues(values!);
                }
                _rows.Enqueue((row, values));
                await reader.NextResultAsync();
            }
        }
        catch (Exception e)
        {
            // The batch fails as a whole (and is run again write by write): the parked works end too.
            foreach (var (_, row) in _pipeline) row.TrySetException(e);
            _rows.Clear();
            throw;
        }
        finally
        {
            _pipeline.Clear();
        }
    }

    /// <summary>Hands the next parked write its row; its work continues inline, on the writer.</summary>
    internal void ReleaseNext()
    {
        var (row, values) = _rows.Dequeue();
        row.SetResult(values);
    }

    internal async Task BeginAsync() => _transaction = await Db.Database.BeginTransactionAsync();

    internal async Task RollbackAsync()
    {
        var tx = _transaction!;
        _transaction = null;
        await tx.RollbackAsync();
        await tx.DisposeAsync();
    }

    internal async Task CommitAsync()
    {
        var tx = _transaction!;
        _transaction = null;
        await tx.CommitAsync();
        await tx.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _commands.Values) await c.DisposeAsync();
        _commands.Clear();
        if (_transaction is not null) await _transaction.DisposeAsync();
        await Db.DisposeAsync();
    }
}
