using GitpleLive.Bench.Scenarios;
using System.Diagnostics;

namespace GitpleLive.Bench;

/// <summary>What every scenario of one run shares: options, folders, found tools, notes for the report.</summary>
public sealed class BenchContext
{
    public required BenchOptions Options { get; init; }
    public required string ResultsDirectory { get; init; }
    public required string? RepoRoot { get; init; }
    public string? ServerDll { get; set; }
    public string? MosquittoPath { get; set; }
    public string? MosquittoVersion { get; set; }
    public ulong FileLimit { get; set; }
    public List<string> Notes { get; } = [];
    public BenchResults Results { get; } = new();

    /// <summary>A server event payload seen in the server fan-out run, reused as the Mosquitto payload.</summary>
    public PayloadTemplate? ServerPayload { get; set; }

    public void Note(string text)
    {
        lock (Notes) Notes.Add(text);
        Ui.Note(text);
    }

    public string LogPath(string name) => Path.Combine(ResultsDirectory, "logs", name + ".log");

    /// <summary>Walks up from <paramref name="start"/> to the folder holding <c>src/GitpleLive.Server</c>.</summary>
    public static string? FindRepoRoot(params string[] starts)
    {
        foreach (var start in starts)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "src", "GitpleLive.Server", "GitpleLive.Server.csproj")))
                    return dir.FullName;
            }
        }
        return null;
    }

    /// <summary>Runs a short command and returns its first output line (for version strings).</summary>
    public static string? FirstLine(string file, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit(5000);
            return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        }
        catch
        {
            return null;
        }
    }
}
