using GitpleLive.TestHost;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace GitpleLive.Server.Tests;

/// <summary>The server's console logs, from a real server process: JSON by configuration, the start-up line, no secrets.</summary>
public class LoggingTests
{

    [Fact]
    public async Task Json_console_logs_carry_the_startup_line_and_not_the_created_api_key()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gitplelive-tests", "log-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        var port = LocalMachine.FreePort();
        var server = Path.Combine(AppContext.BaseDirectory, "GitpleLive.Server.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { server, "--urls", $"http://127.0.0.1:{port}", $"--GitpleLive:DataDirectory={dir}",
                     "--GitpleLive:Redis=", "--Logging:Console:FormatterName=json" })
            start.ArgumentList.Add(a);
        // No pinned app: the server creates one and prints its key for the operator.
        start.Environment.Remove("GITPLELIVE_APP_ID");
        start.Environment.Remove("GITPLELIVE_API_KEY");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var lines = new ConcurrentQueue<string>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lines.Enqueue(e.Data);
            if (e.Data.Contains("GitpleLive server started", StringComparison.Ordinal)) started.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await started.Task.WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            Assert.Fail("no start-up line:\n" + string.Join("\n", lines));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }

        var all = lines.ToList();
        var key = all.Single(l => l.StartsWith("APP_API_KEY=", StringComparison.Ordinal))["APP_API_KEY=".Length..];
        var appId = all.Single(l => l.StartsWith("APP_ID=", StringComparison.Ordinal))["APP_ID=".Length..];
        Assert.True(key.Length >= 16, key);
        // Everything but the two credential lines for the operator is one JSON object per line.
        var logs = all.Where(l => !l.StartsWith("APP_ID=", StringComparison.Ordinal) && !l.StartsWith("APP_API_KEY=", StringComparison.Ordinal))
            .Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.True(logs.Count >= 2, string.Join("\n", all));
        Assert.All(logs, l => Assert.True(l.TryGetProperty("LogLevel", out _) && l.TryGetProperty("Category", out _)));

        var startup = logs.Single(l => l.GetProperty("Message").GetString()!.StartsWith("GitpleLive server started", StringComparison.Ordinal));
        var state = startup.GetProperty("State");
        Assert.Equal("sqlite", state.GetProperty("StorageProvider").GetString());
        Assert.Equal("off", state.GetProperty("Redis").GetString());
        Assert.Contains($"http://127.0.0.1:{port}", state.GetProperty("Urls").GetString());
        Assert.Equal("1", state.GetProperty("AppCount").ToString());
        // The created app is named in the logs, its key is not.
        Assert.Contains(logs, l => l.GetProperty("Message").GetString()!.Contains(appId, StringComparison.Ordinal));
        Assert.DoesNotContain(key, string.Join("\n", logs.Select(l => l.GetRawText())));
    }

    [Fact]
    public void Redis_is_named_by_its_endpoints_without_the_password()
    {
        var named = Operations.LoggingSetup.RedisEndpoints("redis.internal:6380,password=s3cret-pass,ssl=true,abortConnect=false");
        Assert.Equal("redis.internal:6380", named);
        Assert.DoesNotContain("s3cret", named);
        Assert.Equal("off", Operations.LoggingSetup.RedisEndpoints(null));
    }
}
