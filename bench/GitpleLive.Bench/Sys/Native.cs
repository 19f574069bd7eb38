using System.Runtime.InteropServices;

namespace GitpleLive.Bench.Sys;

/// <summary>Linux calls the bench needs: CPU affinity, file-descriptor limits, clock ticks.</summary>
internal static partial class Native
{
    private const int RLIMIT_NOFILE = 7;
    private const int ScClkTck = 2;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in RLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nint cpusetsize, in ulong mask);

    [LibraryImport("libc")]
    private static partial long sysconf(int name);

    public static long ClockTicksPerSecond { get; } = OperatingSystem.IsLinux() ? Math.Max(1, sysconf(ScClkTck)) : 100;

    /// <summary>Soft and hard limits on open files for this process (children inherit them).</summary>
    public static (ulong Soft, ulong Hard) FileLimit()
    {
        if (!OperatingSystem.IsLinux() || getrlimit(RLIMIT_NOFILE, out var l) != 0) return (1024, 1024);
        return (l.Current, l.Max);
    }

    /// <summary>Raises the soft open-files limit up to the hard one; returns the soft limit now in force.</summary>
    public static ulong RaiseFileLimit()
    {
        var (soft, hard) = FileLimit();
        if (soft >= hard || !OperatingSystem.IsLinux()) return soft;
        var wanted = new RLimit { Current = hard, Max = hard };
        return setrlimit(RLIMIT_NOFILE, wanted) == 0 ? hard : soft;
    }

    /// <summary>
    /// Pins every thread of this process to the CPUs in <paramref name="mask"/>. Threads started later
    /// inherit the mask of the thread that starts them, so doing this early pins the whole process.
    /// </summary>
    public static bool PinCurrentProcess(ulong mask)
    {
        if (!OperatingSystem.IsLinux()) return false;
        bool all = true;
        foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(dir), out int tid))
                all &= sched_setaffinity(tid, sizeof(ulong), mask) == 0;
        }
        return all;
    }
}
