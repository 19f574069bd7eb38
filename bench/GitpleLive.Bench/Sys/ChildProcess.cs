using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace GitpleLive.Bench.Sys;

/// <summary>
/// A process the bench started (server or broker), optionally pinned to one CPU with <c>taskset</c>,
/// its output written to a log file. Every child is registered so that it is killed when the bench
/// ends in any way it can notice (normal end, exception, Ctrl+C, SIGTERM).
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private static readonly ConcurrentDictionary<int, ChildProcess> Live = new();
    private static int HooksInstalled;
    private static readonly List<PosixSignalRegistration> SignalHooks = [];

    private readonly Process _process;
    private readonly StreamWriter? _log;
    private readonly object _logLock = new();

    public string Name { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public string? LogPath { get; }

    private ChildProcess(string name, Process process, StreamWriter? log, string? logPath)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
    }

    /// <summary>Starts <paramref name="fileName"/>; with <paramref name="cpu"/> it runs under <c>taskset -c cpu</c> (same pid).</summary>
    public static ChildProcess Start(
        string name, string fileName, IEnumerable<string> args, int? cpu,
        IReadOnlyDictionary<string, string>? env, string workingDirectory, string? logPath)
    {
        InstallHooks();
        var psi = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory,
        };
        if (cpu is int c && File.Exists("/usr/bin/taskset"))
        {
            psi.FileName = "/usr/bin/taskset";
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(c.ToString());
            psi.ArgumentList.Add(fileName);
        }
        else
        {
            psi.FileName = fileName;
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The bench's own socket tuning (Program.cs) is for the generator only: the server and
        // Mosquitto run with their default settings unless a caller passes the variable explicitly.
        psi.Environment.Remove("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS");
        if (env is not null)
            foreach (var (k, v) in env) psi.Environment[k] = v;

        StreamWriter? log = null;
        if (logPath is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
            log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        }
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process, log, logPath);
        process.OutputDataReceived += (_, e) => child.Write(e.Data);
        process.ErrorDataReceived += (_, e) => child.Write(e.Data);
        if (!process.Start()) throw new InvalidOperationException($"could not start {name}");
        Live[process.Id] = child;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private readonly List<string> _recent = [];

    /// <summary>The last lines the process printed (for error messages).</summary>
    public string RecentOutput()
    {
        lock (_logLock) return string.Join('\n', _recent);
    }

    /// <summary>Raised for each line the process prints (on a reader thread).</summary>
    public event Action<string>? LineReceived;

    /// <summary>The process's standard input.</summary>
    public StreamWriter Input => _process.StandardInput;

    private void Write(string? line)
    {
        if (line is null) return;
        LineReceived?.Invoke(line);
        lock (_logLock)
        {
            _recent.Add(line);
            if (_recent.Count > 40) _recent.RemoveAt(0);
            try { _log?.WriteLine(line); } catch (ObjectDisposedException) { }
        }
    }

    /// <summary>Stops the process: SIGTERM, then SIGKILL of the tree after <paramref name="grace"/>.</summary>
    public void Stop(TimeSpan grace)
    {
        try
        {
            if (!_process.HasExited)
            {
                if (OperatingSystem.IsLinux()) kill(_process.Id, 15);
                if (!_process.WaitForExit(grace)) _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch
        {
            // Already gone.
        }
        Live.TryRemove(_process.Id, out _);
    }

    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(3));
        lock (_logLock) _log?.Dispose();
        _process.Dispose();
    }

    /// <summary>Kills every child still running (used on exit paths).</summary>
    public static void KillAll()
    {
        foreach (var child in Live.Values)
        {
            try { child._process.Kill(entireProcessTree: true); } catch { }
            Live.TryRemove(child._process.Id, out _);
        }
    }

    public static int LiveCount => Live.Count;

    private static void InstallHooks()
    {
        if (Interlocked.Exchange(ref HooksInstalled, 1) == 1) return;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => KillAll();
        if (!OperatingSystem.IsWindows())
        {
            // SIGINT is left to the command line's cancellation, which unwinds and disposes children;
            // SIGTERM and SIGQUIT kill them right away and then let the runtime end the process.
            foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGQUIT, PosixSignal.SIGHUP })
                SignalHooks.Add(PosixSignalRegistration.Create(signal, _ => KillAll()));
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    /// <summary>A TCP port on 127.0.0.1 that is free right now.</summary>
    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
