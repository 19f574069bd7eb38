using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace GitpleLive.Server.Hosting;

/// <summary>
/// Turns what stops the server from starting into one line for the operator, naming the setting to fix:
/// invalid settings, an unreachable database or Redis, a port in use, a folder that cannot be created.
/// </summary>
public static class StartupErrors
{
    private const string Prefix = ChatServerOptions.Section + ":";

    /// <summary>One line (no stack trace) describing why the server could not start.</summary>
    public static string Describe(Exception error)
    {
        foreach (var e in Chain(error))
        {
            switch (e)
            {
                case OptionsValidationException v:
                    return "invalid settings: " + string.Join(" ", v.Failures);
                case RedisConnectionException:
                    return $"cannot connect to Redis ({Prefix}Redis): {FirstSentence(e.Message)}";
                case NpgsqlException:
                    return $"cannot use the PostgreSQL database ({Prefix}ConnectionString): {FirstLine(e.Message)}";
                case SqliteException:
                    return $"cannot open the SQLite database ({Prefix}DataDirectory, {Prefix}ConnectionString): {FirstLine(e.Message)}";
                case IOException when e.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
                    || e.GetType().Name == "AddressInUseException":
                    return $"cannot listen: {FirstLine(e.Message)} (the port is in use; set another with --urls or ASPNETCORE_URLS)";
                case IOException when e.Message.StartsWith("Failed to bind", StringComparison.Ordinal):
                    return $"cannot listen: {FirstLine(e.Message)} (check --urls or ASPNETCORE_URLS)";
                case UnauthorizedAccessException or DirectoryNotFoundException:
                    return $"cannot create the data folders ({Prefix}DataDirectory, {Prefix}FilesDirectory): {FirstLine(e.Message)}";
            }
        }
        return $"start-up failed: {error.GetType().Name}: {FirstLine(error.Message)}";
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        var queue = new Queue<Exception>([error]);
        while (queue.TryDequeue(out var e))
        {
            yield return e;
            if (e is AggregateException a) foreach (var inner in a.InnerExceptions) queue.Enqueue(inner);
            else if (e.InnerException is { } inner) queue.Enqueue(inner);
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    private static string FirstSentence(string message)
    {
        var line = FirstLine(message);
        var end = line.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? line : line[..(end + 1)];
    }
}
