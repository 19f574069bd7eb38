using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using GitpleLive.Server.Hosting;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>
/// The server as an operator runs it, a child process (<c>dotnet GitpleLive.Server.dll</c>): what stops it from
/// starting is one line on stderr naming the setting, with a non-zero exit and no stack trace; <c>--help</c> lists
/// every setting.
/// </summary>
public class StartupTests
{
    private static readonly string ServerDll = Path.Combine(AppContext.BaseDirectory, "GitpleLive.Server.dll");

    private sealed record Run(int ExitCode, string Stdout, string Stderr);

    private static async Task<Run> RunServerAsync(params string[] args)
    {
        var data = Path.Combine(Path.GetTempPath(), "gitplelive-tests", "startup-" + Guid.NewGuid().ToString("N")[..8]);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ServerDll);
        foreach (var a in args) start.ArgumentList.Add(a);
        if (!args.Any(a => a.StartsWith("--GitpleLive:DataDirectory", StringComparison.Ordinal)))
            start.ArgumentList.Add($"--GitpleLive:DataDirectory={data}");
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the server did not exit: {await stdout} {await stderr}");
        }
        return new Run(process.ExitCode, await stdout, await stderr);
    }

    private static void AssertOneClearLine(Run run, string setting)
    {
        Assert.NotEqual(0, run.ExitCode);
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"stderr: {run.Stderr}");
        Assert.Contains(setting, lines[0]);
        Assert.StartsWith("GitpleLive.Server: ", lines[0]);
        foreach (var output in new[] { run.Stderr, run.Stdout })
        {
            Assert.DoesNotContain("   at ", output);
            Assert.DoesNotContain("Unhandled exception", output);
        }
    }


    [Fact]
    public async Task Bad_storage_provider_is_one_line_naming_the_setting()
    {
        var run = await RunServerAsync("--urls=http://127.0.0.1:0", "--GitpleLive:StorageProvider=mongodb");
        AssertOneClearLine(run, "GitpleLive:StorageProvider");
        Assert.Contains("mongodb", run.Stderr);
    }

    [Fact]
    public async Task Unreachable_database_is_one_line_naming_the_setting()
    {
        var port = LocalMachine.FreePort();
        var run = await RunServerAsync("--urls=http://127.0.0.1:0", "--GitpleLive:StorageProvider=postgres",
            $"--GitpleLive:ConnectionString=Host=127.0.0.1;Port={port};Username=x;Password=y;Timeout=3");
        AssertOneClearLine(run, "GitpleLive:ConnectionString");
    }

    [Fact]
    public async Task Unreachable_redis_is_one_line_naming_the_setting()
    {
        var port = LocalMachine.FreePort();
        var run = await RunServerAsync("--urls=http://127.0.0.1:0", $"--GitpleLive:Redis=127.0.0.1:{port},connectTimeout=1000");
        AssertOneClearLine(run, "GitpleLive:Redis");
    }

    [Fact]
    public async Task Port_in_use_is_one_line_naming_the_address()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var run = await RunServerAsync($"--urls=http://127.0.0.1:{port}");
        AssertOneClearLine(run, $"127.0.0.1:{port}");
        Assert.Contains("--urls", run.Stderr);
    }

    [Fact]
    public async Task Help_lists_every_setting_and_exits_zero()
    {
        var run = await RunServerAsync("--help");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Stderr);
        foreach (var p in typeof(ChatServerOptions).GetProperties().Where(p => p.CanWrite))
            Assert.Contains($"--GitpleLive:{p.Name}=", run.Stdout);
        Assert.Contains("--GitpleLive:Realtime:ConnectTimeout=00:00:05", run.Stdout);
        Assert.Contains("usage:", run.Stdout);
    }
}
