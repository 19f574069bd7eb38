using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace GitpleLive.Server.Storage;

/// <summary>
/// NORMAL sync in WAL mode is durable across process crashes and skips an fsync per commit. It is a
/// per-connection setting; WAL itself is stored in the database file and set once at start-up.
/// </summary>
internal sealed class SqlitePragmaInterceptor : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(
        DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA synchronous=NORMAL;";
        cmd.ExecuteNonQuery();
    }
}
