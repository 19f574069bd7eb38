using System.Diagnostics;

namespace GitpleLive.Bench.Sys;

/// <summary>CPU time and resident memory of a process, read from <c>/proc</c>.</summary>
public static class ProcStats
{
    /// <summary>User plus system CPU time of <paramref name="pid"/> (0 = this process) in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var text = File.ReadAllText(pid == 0 ? "/proc/self/stat" : $"/proc/{pid}/stat");
            // The command name may contain spaces; fields start after the closing parenthesis.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            // After ')' : state(3) ppid(4) ... utime is field 14, stime 15 (1-based in proc(5)).
            long utime = long.Parse(fields[11]);
            long stime = long.Parse(fields[12]);
            return (utime + stime) / (double)Native.ClockTicksPerSecond;
        }
        catch
        {
            return double.NaN;
        }
    }

    /// <summary>Resident set size of <paramref name="pid"/> (0 = this process) in bytes.</summary>
    public static long RssBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines(pid == 0 ? "/proc/self/status" : $"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kb = line.AsSpan(6).Trim();
                    kb = kb[..kb.IndexOf(' ')];
                    return long.Parse(kb) * 1024;
                }
            }
        }
        catch
        {
        }
        return -1;
    }
}

/// <summary>Measures the CPU share a process used over an interval (100 % = one core busy).</summary>
public sealed class CpuMeter
{
    private readonly int _pid;
    private double _cpu;
    private long _at;

    public CpuMeter(int pid)
    {
        _pid = pid;
        Restart();
    }

    public void Restart()
    {
        _cpu = ProcStats.CpuSeconds(_pid);
        _at = Stopwatch.GetTimestamp();
    }

    /// <summary>Percent of one core since the last restart.</summary>
    public double Percent()
    {
        var seconds = Stopwatch.GetElapsedTime(_at).TotalSeconds;
        var cpu = ProcStats.CpuSeconds(_pid) - _cpu;
        return seconds <= 0 ? 0 : 100 * cpu / seconds;
    }
}
