using System.Diagnostics;
using System.Security.Cryptography;
using GitpleLive.Bench.Sys;

namespace GitpleLive.Bench.Targets;

/// <summary>
/// The chat server as a child process (<c>dotnet GitpleLive.Server.dll</c>) on a free loopback port, with
/// its app pinned by environment, its data in a fresh temporary folder, pinned to the server CPU.
/// </summary>
public sealed class ServerHost : IDisposable
{
    public const string AppId = "bench-app";

    private readonly ChildProcess _process;
    private readonly string _dataDir;

    public int Port { get; }
    public int Pid => _process.Pid;
    public string ApiKey { get; }
    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");
    public Uri WsUri => new($"ws://127.0.0.1:{Port}/ws");
    public string DataDirectory => _dataDir;

    private ServerHost(ChildProcess process, int port, string apiKey, string dataDir)
    {
        _process = process;
        Port = port;
        ApiKey = apiKey;
        _dataDir = dataDir;
    }

    /// <summary>Builds the server in Release (unless told not to) and returns the path of its dll.</summary>
    public static async Task<string> EnsureBuiltAsync(BenchContext ctx, CancellationToken cancellationToken)
    {
        if (ctx.Options.ServerDll is { } given)
        {
            if (!File.Exists(given)) throw new FileNotFoundException("--server-dll not found", given);
            return Path.GetFullPath(given);
        }
        if (ctx.RepoRoot is null)
            throw new InvalidOperationException("cannot find src/GitpleLive.Server; run from the repository or pass --server-dll");
        var project = Path.Combine(ctx.RepoRoot, "src", "GitpleLive.Server");
        var dll = Path.Combine(project, "bin", "Release", "net10.0", "GitpleLive.Server.dll");
        if (!ctx.Options.NoBuild)
        {
            Ui.Info("Building the server in Release: dotnet build -c Release " +
                Path.GetRelativePath(Environment.CurrentDirectory, project));
            var psi = new ProcessStartInfo("dotnet")
            {
                UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            foreach (var a in new[] { "build", "-c", "Release", project, "-nologo", "-v", "q", "-clp:ErrorsOnly" }) psi.ArgumentList.Add(a);
            using var build = Process.Start(psi)!;
            var stdout = build.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = build.StandardError.ReadToEndAsync(cancellationToken);
            await build.WaitForExitAsync(cancellationToken);
            if (build.ExitCode != 0)
                throw new InvalidOperationException($"server build failed:\n{await stdout}{await stderr}");
        }
        if (!File.Exists(dll)) throw new FileNotFoundException("server dll missing after build", dll);
        return dll;
    }

    public static async Task<ServerHost> StartAsync(
        BenchContext ctx, string name, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? extraEnv = null)
    {
        var port = ChildProcess.FreePort();
        var dataDir = Directory.CreateTempSubdirectory("gitplelive-bench-data-").FullName;
        var apiKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var env = new Dictionary<string, string>
        {
            ["GITPLELIVE_APP_ID"] = AppId,
            ["GITPLELIVE_API_KEY"] = apiKey,
            ["GitpleLive__DataDirectory"] = dataDir,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            // Per-request information logs would measure the console, not the server.
            ["Logging__LogLevel__Default"] = "Warning",
            // The benchmarks measure throughput: one sender far past the per-user rate limits.
            ["GitpleLive__RateLimits__Enabled"] = "false",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
        if (extraEnv is not null)
            foreach (var (k, v) in extraEnv) env[k] = v;
        var process = ChildProcess.Start(name, "dotnet", [ctx.ServerDll!, "--urls", $"http://127.0.0.1:{port}"],
            ctx.Options.Pin ? ctx.Options.ServerCpu : null, env, dataDir, ctx.LogPath(name));
        var host = new ServerHost(process, port, apiKey, dataDir);
        try
        {
            using var http = new HttpClient { BaseAddress = host.BaseUri, Timeout = TimeSpan.FromSeconds(5) };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (process.HasExited) throw new InvalidOperationException($"server exited at start:\n{process.RecentOutput()}");
                try
                {
                    using var response = await http.GetAsync("health", cancellationToken);
                    if (response.IsSuccessStatusCode) break;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline)
                {
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested && DateTime.UtcNow < deadline)
                {
                }
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"server did not answer /health within 60 s:\n{process.RecentOutput()}");
                await Task.Delay(100, cancellationToken);
            }
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    public bool HasExited => _process.HasExited;

    public string RecentOutput() => _process.RecentOutput();

    public void Dispose()
    {
        _process.Dispose();
        try { Directory.Delete(_dataDir, true); } catch { }
    }
}
