using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using GitpleLive.Bench.Report;
using GitpleLive.Bench.Scenarios;
using GitpleLive.Bench.Sys;
using GitpleLive.Bench.Targets;

namespace GitpleLive.Bench;

/// <summary>The command line: <c>all | fanout | baseline | connections | history</c> and their options.</summary>
public static class BenchApp
{
    public const string Fanout = "fanout";
    public const string FanoutEvents = "fanout-events";
    public const string Baseline = "baseline";
    public const string Connections = "connections";
    public const string History = "history";
    public const string OpenFanout = "open-fanout";
    public const string Push = Scenarios.PushScenario.Name;
    public const string Webhooks = "webhooks";

    public static Task<int> RunAsync(string[] args) => Build().Parse(args).InvokeAsync();

    public static RootCommand Build()
    {
        var d = new BenchOptions();
        Option<T> Opt<T>(string name, string description, T defaultValue) =>
            new(name) { Description = description, DefaultValueFactory = _ => defaultValue, Recursive = true };

        var users = Opt("--users", "fanout: connected users C", d.Users);
        users.Aliases.Add("-c");
        var members = Opt("--members", "fanout: members per channel M", d.Members);
        members.Aliases.Add("-m");
        var stepSeconds = Opt("--step-seconds", "fanout: duration of each rate step", d.StepSeconds);
        var warmup = Opt("--warmup-seconds", "fanout: warm-up at the start rate before measuring (JIT)", d.WarmupSeconds);
        var rateStart = Opt("--rate-start", "fanout: messages/s of the first step", d.RateStart);
        var rateStep = Opt("--rate-step", "fanout: messages/s added per step", d.RateStep);
        var rateFactor = Opt("--rate-factor", "fanout: factor applied per step (1 = additive steps only)", d.RateFactor);
        var maxSteps = Opt("--max-steps", "fanout: most steps to run", d.MaxSteps);
        var eventsFloor = Opt(
            "--events-rate-floor", "fanout-events: start at the first step offering at least this many messages/s", d.EventsRateFloor);
        var retries = Opt("--retries", "fanout: how often a failed step is run again before stopping", d.Retries);
        var p99 = Opt("--p99-limit-ms", "fanout: a step fails when its p99 is above this", d.P99LimitMs);
        var contentSize = Opt("--content-size", "fanout: characters of message content", d.ContentSize);
        var connections = Opt("--connections", "connections: idle connections N", d.Connections);
        connections.Aliases.Add("-n");
        var messages = Opt("--messages", "history: messages to load into the channel", d.Messages);
        var queries = Opt("--queries", "history: timed requests per query kind", d.Queries);
        var settle = Opt("--settle-seconds", "connections: wait before each RSS reading (a heap dump can be taken meanwhile)",
            d.SettleSeconds);
        var quick = Opt("--quick", "smoke mode: everything small, well under a minute", false);
        var output = Opt<string?>("--out", "results folder (default bench/results/<timestamp>)", null);
        var serverDll = Opt<string?>(
            "--server-dll",
            "use this server build instead of building src/GitpleLive.Server in Release (env GITPLELIVE_BENCH_SERVER_DLL)",
            null);
        var noBuild = Opt("--no-build", "do not build the server (use the existing Release build)", false);
        var noPin = Opt("--no-pin", "do not pin the broker and the generator to separate cores", false);

        var root = new RootCommand("GitpleLive benchmark kit: the server against a bare Mosquitto relay in the same run.");
        Option[] all =
        [
            users, members, stepSeconds, warmup, rateStart, rateStep, rateFactor, maxSteps, eventsFloor, retries, p99, contentSize,
            connections, messages, queries, quick, output, serverDll, noBuild, noPin, settle,
        ];
        foreach (var o in all)
            root.Options.Add(o);

        BenchOptions Read(ParseResult p)
        {
            var o = new BenchOptions();
            if (p.GetValue(quick)) o.ApplyQuick();
            // Values given explicitly win over the quick settings.
            void Set<T>(Option<T> option, Action<T> apply)
            {
                var result = p.GetResult(option);
                if (result is not null && !result.Implicit) apply(p.GetValue(option)!);
                else if (!o.Quick) apply(p.GetValue(option)!);
            }
            Set(users, v => o.Users = v);
            Set(members, v => o.Members = v);
            Set(stepSeconds, v => o.StepSeconds = v);
            Set(warmup, v => o.WarmupSeconds = v);
            Set(rateStart, v => o.RateStart = v);
            Set(rateStep, v => o.RateStep = v);
            Set(rateFactor, v => o.RateFactor = v);
            Set(maxSteps, v => o.MaxSteps = v);
            Set(retries, v => o.Retries = v);
            Set(eventsFloor, v => o.EventsRateFloor = v);
            Set(p99, v => o.P99LimitMs = v);
            Set(contentSize, v => o.ContentSize = v);
            Set(connections, v => o.Connections = v);
            Set(messages, v => o.Messages = v);
            Set(queries, v => o.Queries = v);
            Set(settle, v => o.SettleSeconds = v);
            o.OutputDirectory = p.GetValue(output);
            o.ServerDll = p.GetValue(serverDll) ?? NullIfEmpty(Environment.GetEnvironmentVariable("GITPLELIVE_BENCH_SERVER_DLL"));
            o.NoBuild = p.GetValue(noBuild);
            o.Pin = !p.GetValue(noPin);
            return o;
        }

        void Add(string name, string description, string[] scenarios)
        {
            var command = new Command(name, description);
            command.SetAction((p, cancellationToken) => RunScenariosAsync(Read(p), scenarios, cancellationToken));
            root.Subcommands.Add(command);
        }
        Add("all", "fanout, fanout-events, baseline, connections and history, then the report",
            [Fanout, FanoutEvents, Baseline, Connections, History]);
        Add(Fanout, "fan-out against the server only (load: REST sends, the full path)", [Fanout]);
        Add(FanoutEvents, "fan-out against the server only (load: the server's diagnostics event generator)", [FanoutEvents]);
        Add(Baseline, "fan-out against Mosquitto only", [Baseline]);
        Add(Connections, "idle connections: server and Mosquitto", [Connections]);
        Add(History, "history load, send rates and page reads", [History]);
        Add("path", "the full path (REST send + persist + fan-out), Mosquitto's relay and idle connections, in one run",
            [Fanout, Baseline, Connections]);

        // The Mosquitto baseline's publisher process (started by the bench itself).
        var wsArg = new Argument<string>("ws");
        var payloadArg = new Argument<string>("payload-file");
        var topicsArg = new Argument<string>("topics-file");
        var publisher = new Command(PublisherProcess.Command, "internal: the Mosquitto baseline's publisher") { Hidden = true };
        publisher.Arguments.Add(wsArg);
        publisher.Arguments.Add(payloadArg);
        publisher.Arguments.Add(topicsArg);
        publisher.SetAction((p, _) => PublisherProcess.RunChildAsync(p.GetValue(wsArg)!, p.GetValue(payloadArg)!, p.GetValue(topicsArg)!));
        root.Subcommands.Add(publisher);

        var open = new Command(OpenFanout,
            "an open channel of N participants against N/M group channels of M: deliveries/s and p99 at the same offered load");
        open.SetAction((p, cancellationToken) => RunOpenFanoutAsync(Read(p), cancellationToken));
        root.Subcommands.Add(open);
        Add(Push, "push notifications to a local webhook provider: pushes/s, send-to-provider p99, send rate with and without", [Push]);
        Add(Webhooks, "webhooks: send rate with and without them, deliveries/s and send-to-receiver p99", [Webhooks]);
        return root;
    }

    /// <summary>The open channel fan-out comparison (<see cref="OpenFanoutScenario"/>), with its own small report.</summary>
    private static async Task<int> RunOpenFanoutAsync(BenchOptions o, CancellationToken cancellationToken)
    {
        var repoRoot = BenchContext.FindRepoRoot(Environment.CurrentDirectory, AppContext.BaseDirectory);
        var resultsDir = Path.GetFullPath(o.OutputDirectory ?? Path.Combine(repoRoot ?? Environment.CurrentDirectory, "bench", "results",
            DateTimeOffset.Now.ToString("yyyyMMdd-HHmmss") + "-open"));
        Directory.CreateDirectory(Path.Combine(resultsDir, "logs"));
        var ctx = new BenchContext { Options = o, ResultsDirectory = resultsDir, RepoRoot = repoRoot };
        if (o.Pin && (Environment.ProcessorCount < 2 || !Native.PinCurrentProcess(1UL << o.GeneratorCpu))) o.Pin = false;
        ctx.FileLimit = Native.RaiseFileLimit();
        if (ctx.FileLimit < (ulong)o.Users + 200)
            throw new InvalidOperationException($"open-files limit {ctx.FileLimit} is below {o.Users} connections: raise `ulimit -n`");
        ctx.ServerDll = await ServerHost.EnsureBuiltAsync(ctx, cancellationToken);
        return await OpenFanoutScenario.RunAsync(ctx, cancellationToken);
    }

    /// <summary>Runs the given scenarios and writes the report; 0 when every scenario ran without error.</summary>
    public static async Task<int> RunScenariosAsync(
        BenchOptions o, IReadOnlyCollection<string> scenarios, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.Now;
        var repoRoot = BenchContext.FindRepoRoot(Environment.CurrentDirectory, AppContext.BaseDirectory);
        var resultsDir = Path.GetFullPath(o.OutputDirectory
            ?? Path.Combine(repoRoot ?? Environment.CurrentDirectory, "bench", "results", started.ToString("yyyyMMdd-HHmmss")));
        Directory.CreateDirectory(Path.Combine(resultsDir, "logs"));
        var ctx = new BenchContext { Options = o, ResultsDirectory = resultsDir, RepoRoot = repoRoot };
        var r = ctx.Results;
        r.StartedAt = started.ToString("yyyy-MM-dd HH:mm:ss zzz");
        r.Quick = o.Quick;
        int errors = 0;

        Ui.Heading($"GitpleLive bench: {string.Join(", ", scenarios)}{(o.Quick ? " (quick)" : "")}");
        Ui.Info($"Results: {resultsDir}");

        if (o.Pin)
        {
            if (Environment.ProcessorCount < 2 || o.ServerCpu == o.GeneratorCpu)
            {
                o.Pin = false;
                ctx.Note("Fewer than two CPUs available: broker and generator are not pinned and share the CPU.");
            }
            else if (!Native.PinCurrentProcess(1UL << o.GeneratorCpu))
            {
                ctx.Note($"Could not pin every generator thread to CPU {o.GeneratorCpu}.");
            }
        }
        ctx.FileLimit = Native.RaiseFileLimit();
        FillMachine(ctx);
        var loadText = (ReadFirstLine("/proc/loadavg") ?? "").Split(' ')[0];
        if (double.TryParse(loadText, System.Globalization.CultureInfo.InvariantCulture, out var load)
            && load > Environment.ProcessorCount)
            ctx.Note($"The machine is busy (load average {load:0.0} on {Environment.ProcessorCount} cores): " +
                "pinned processes share their core with others, and a single-threaded broker (Mosquitto) " +
                "gets a smaller share than a multi-threaded one, so ratios lean toward the server.");

        bool needsMosquitto = scenarios.Contains(Baseline) || scenarios.Contains(Connections);
        bool needsServer = scenarios.Contains(Fanout) || scenarios.Contains(FanoutEvents)
            || scenarios.Contains(Connections) || scenarios.Contains(History) || scenarios.Contains(Push)
            || scenarios.Contains(Webhooks);
        if (needsMosquitto)
        {
            ctx.MosquittoPath = MosquittoHost.Locate();
            if (ctx.MosquittoPath is null)
            {
                const string msg = "mosquitto is not installed, so the Mosquitto baseline is skipped. "
                    + "Install it with: apt-get install -y mosquitto";
                Ui.Error(msg);
                r.Skipped.Add(msg);
            }
            else
            {
                ctx.MosquittoVersion = BenchContext.FirstLine(ctx.MosquittoPath, "-h");
                r.Machine["mosquitto"] = ctx.MosquittoVersion ?? "?";
            }
        }

        try
        {
            if (needsServer)
            {
                try
                {
                    ctx.ServerDll = await ServerHost.EnsureBuiltAsync(ctx, cancellationToken);
                    r.Machine["server build"] = ctx.ServerDll;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Ui.Error($"Server unavailable: {e.Message}");
                    r.Skipped.Add($"server scenarios: {e.Message}");
                    errors++;
                }
            }

            // A fan-out run against a fresh server process; a server that died during it is the run's error.
            Task<FanoutResult> ServerFanoutAsync(string hostName, string target, Func<ServerHost, IFanoutTarget> newTarget,
                IReadOnlyDictionary<string, string>? extraEnv = null) =>
                Guard(ctx, $"fanout ({target.Replace('-', ' ')})", async () =>
                {
                    var host = await ServerHost.StartAsync(ctx, hostName, cancellationToken, extraEnv);
                    using var fanoutTarget = newTarget(host);
                    var result = await FanoutScenario.RunAsync(ctx, fanoutTarget, cancellationToken);
                    if (host.HasExited) result.Error = "the server exited during the run: " + host.RecentOutput();
                    return result;
                }, e => new FanoutResult { Target = target, Error = e }, () => errors++);

            if (scenarios.Contains(Fanout) && ctx.ServerDll is not null)
            {
                Ui.Heading("fanout: GitpleLive server");
                r.ServerFanout = await ServerFanoutAsync("server-fanout", "server", host => new ServerFanoutTarget(ctx, host));
                if (ctx.ServerPayload is not null)
                    await File.WriteAllBytesAsync(
                        Path.Combine(resultsDir, "server-event-sample.json"), ctx.ServerPayload.Bytes.ToArray(), cancellationToken);
            }

            if (scenarios.Contains(FanoutEvents) && ctx.ServerDll is not null)
            {
                Ui.Heading("fanout-events: GitpleLive server, load from its event generator");
                r.ServerEventsFanout = await ServerFanoutAsync("server-fanout-events", "server-events",
                    host => new ServerEventsFanoutTarget(ctx, host),
                    new Dictionary<string, string> { ["GitpleLive__EnableDiagnostics"] = "true" });
            }

            if (scenarios.Contains(Baseline) && ctx.MosquittoPath is not null)
            {
                Ui.Heading("baseline: Mosquitto");
                r.MosquittoFanout = await Guard(ctx, "fanout (mosquitto)", async () =>
                {
                    var host = await MosquittoHost.StartAsync(ctx, "mosquitto-fanout", cancellationToken);
                    using var target = new MosquittoFanoutTarget(ctx, host);
                    return await FanoutScenario.RunAsync(ctx, target, cancellationToken);
                }, e => new FanoutResult { Target = "mosquitto", Error = e }, () => errors++);
            }

            if (scenarios.Contains(Connections))
            {
                int n = ConnectionsScenario.Allowed(ctx, o.Connections);
                if (n < o.Connections)
                    ctx.Note($"connections: open-files limit {ctx.FileLimit} allows {n:N0} " +
                        $"of the {o.Connections:N0} requested connections; " +
                        "raise `ulimit -n` (hard limit) for more.");
                Task<ConnectionsResult> ConnectionsAsync(string target, string title, Func<Task<ConnectionsResult>> run)
                {
                    Ui.Heading($"connections: {n:N0} idle connections to {title}");
                    return Guard(ctx, $"connections ({target})", run, e => new ConnectionsResult { Target = target, Error = e },
                        () => errors++);
                }
                if (ctx.ServerDll is not null)
                    r.ServerConnections = await ConnectionsAsync("server", "the server", async () =>
                    {
                        using var host = await ServerHost.StartAsync(ctx, "server-connections", cancellationToken);
                        return await ConnectionsScenario.RunServerAsync(ctx, host, n, cancellationToken);
                    });
                if (ctx.MosquittoPath is not null)
                    r.MosquittoConnections = await ConnectionsAsync("mosquitto", "Mosquitto", async () =>
                    {
                        using var host = await MosquittoHost.StartAsync(ctx, "mosquitto-connections", cancellationToken);
                        return await ConnectionsScenario.RunMosquittoAsync(ctx, host, n, cancellationToken);
                    });
            }

            if (scenarios.Contains(Webhooks) && ctx.ServerDll is not null)
            {
                Ui.Heading("webhooks: send rate with and without, deliveries to a local receiver");
                await Guard(ctx, "webhooks", async () =>
                {
                    using var host = await ServerHost.StartAsync(ctx, "server-webhooks", cancellationToken, WebhookScenario.ServerEnv);
                    var result = await WebhookScenario.RunAsync(ctx, host, cancellationToken);
                    await WebhookScenario.ReportAsync(ctx, result, cancellationToken);
                    return result;
                }, _ => (WebhookScenario.Result?)null, () => errors++);
            }

            Dictionary<string, List<double>>? historySamples = null;
            if (scenarios.Contains(History) && ctx.ServerDll is not null)
            {
                Ui.Heading($"history: {o.Messages:N0} messages");
                r.History = await Guard(ctx, "history", async () =>
                {
                    using var host = await ServerHost.StartAsync(ctx, "server-history", cancellationToken);
                    var (result, samples) = await HistoryScenario.RunAsync(ctx, host, cancellationToken);
                    historySamples = samples.ByKind;
                    return result;
                }, e => new HistoryResult { Error = e, RequestedMessages = o.Messages }, () => errors++);
            }

            if (scenarios.Contains(Push) && ctx.ServerDll is not null)
            {
                Ui.Heading("push: 1,000 offline recipients, webhook provider");
                var push = await Guard<Scenarios.PushScenario.Result?>(ctx, "push", async () =>
                    await Scenarios.PushScenario.RunAsync(ctx, cancellationToken), _ => null, () => errors++);
                if (push is not null) await WritePushAsync(ctx, push);
            }

            await WriteReportAsync(ctx, historySamples, started);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Ui.Error("Cancelled; stopping every process the bench started.");
            ChildProcess.KillAll();
            try { await WriteReportAsync(ctx, null, started); } catch { }
            return 130;
        }
        finally
        {
            ChildProcess.KillAll();
        }
        return errors == 0 ? 0 : 1;
    }

    private static async Task WritePushAsync(BenchContext ctx, Scenarios.PushScenario.Result p)
    {
        var text = $"""
            # push

            | figure | value |
            |---|---:|
            | offline recipients (webhook provider, one token each) | {p.Recipients:N0} |
            | paced: messages at {p.PacedRate}/s, pushes | {p.PacedMessages}, {p.PacedMessages * p.Recipients / 10:N0} |
            | paced: p50 / p99 send → provider request ms | {p.PacedP50Ms:N1} / {p.PacedP99Ms:N1} |
            | burst: {p.BurstMessages} messages → pushes/s | {p.BurstPushesPerSecond:N0} |
            | burst: p99 send → provider request ms | {p.BurstP99Ms:N1} |
            | send rate, 8 senders, without push (messages/s) | {p.SendRateWithout:N0} |
            | send rate, 8 senders, with push (messages/s) | {p.SendRateWith:N0} |
            | with / without | {(p.SendRateWithout == 0 ? 0 : p.SendRateWith / p.SendRateWithout):N2} |
            | send path alone (node without dispatcher), without push (messages/s) | {p.SendPathRateWithout:N0} |
            | send path alone (node without dispatcher), with push (messages/s) | {p.SendPathRateWith:N0} |
            | send path alone: with / without | {(p.SendPathRateWithout == 0 ? 0 : p.SendPathRateWith / p.SendPathRateWithout):N2} |

            """;
        await File.WriteAllTextAsync(Path.Combine(ctx.ResultsDirectory, "push.md"), text);
        Console.WriteLine(text);
    }

    private static async Task<T> Guard<T>(BenchContext ctx, string name, Func<Task<T>> body, Func<string, T> onError, Action countError)
    {
        try
        {
            return await body();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Ui.Error($"{name} failed: {e.Message}");
            await File.AppendAllTextAsync(ctx.LogPath("errors"), $"{name}: {e}\n\n");
            countError();
            return onError(e.Message);
        }
    }

    private static async Task WriteReportAsync(BenchContext ctx, Dictionary<string, List<double>>? historySamples, DateTimeOffset started)
    {
        var r = ctx.Results;
        r.FinishedAt = DateTimeOffset.Now.ToString("yyyy-MM-dd HH:mm:ss zzz");
        r.Machine["load average at end"] = ReadFirstLine("/proc/loadavg") ?? "?";
        r.Notes.AddRange(ctx.Notes.Except(r.Notes));
        FillSettings(ctx);
        var images = new List<string>();
        try
        {
            if (Plots.FanoutP99(r, ctx.ResultsDirectory) is { } p) images.Add(Path.GetFileName(p));
            if (historySamples is not null && Plots.HistoryHistogram(historySamples, ctx.ResultsDirectory) is { } h)
                images.Add(Path.GetFileName(h));
        }
        catch (Exception e)
        {
            r.Notes.Add($"plots could not be drawn: {e.Message}");
        }
        var json = JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true });
        await File.WriteAllTextAsync(Path.Combine(ctx.ResultsDirectory, "summary.json"), json);
        var report = ReportWriter.Render(r, images);
        var reportPath = Path.Combine(ctx.ResultsDirectory, "report.md");
        await File.WriteAllTextAsync(reportPath, report);

        Ui.Heading($"Done in {(DateTimeOffset.Now - started).TotalSeconds:0} s");
        Ui.Info(ReportWriter.SummaryTable(r));
        Ui.Info($"Report: {reportPath}");
    }

    private static void FillMachine(BenchContext ctx)
    {
        var m = ctx.Results.Machine;
        m["cpu"] = ReadKey("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();
        m["cores (online)"] = Environment.ProcessorCount.ToString() + (ctx.Options.Pin
            ? $"; broker on CPU {ctx.Options.ServerCpu}, generator on CPU {ctx.Options.GeneratorCpu}"
            : "; not pinned");
        m["memory"] = ReadKey("/proc/meminfo", "MemTotal") ?? "?";
        m["os"] = (ReadKey("/etc/os-release", "PRETTY_NAME", '=') ?? RuntimeInformation.OSDescription).Trim('"')
            + ", kernel " + (ReadFirstLine("/proc/sys/kernel/osrelease") ?? "?");
        m["runtime"] = RuntimeInformation.FrameworkDescription;
        m["open files limit"] = ctx.FileLimit.ToString();
        m["load average at start"] = ReadFirstLine("/proc/loadavg") ?? "?";
        if (ctx.RepoRoot is not null)
        {
            var commit = BenchContext.FirstLine("git", "-C", ctx.RepoRoot, "log", "-1", "--format=%h %s");
            if (commit is not null) m["commit"] = commit;
        }
    }

    private static void FillSettings(BenchContext ctx)
    {
        var o = ctx.Options;
        var s = ctx.Results.Settings;
        s["fanout users × members"] = $"{o.Users} × {o.Members} ({o.Users / Math.Max(1, o.Members)} channels)";
        s["rate steps (msg/s)"] = $"(start {o.RateStart} + {o.RateStep} per step) × {o.RateFactor:0.##} per step: " +
            $"{string.Join(", ", Enumerable.Range(1, Math.Min(o.MaxSteps, 6)).Select(o.RateOf))}{(o.MaxSteps > 6 ? ", …" : "")}; " +
            $"at most {o.MaxSteps} steps of {o.StepSeconds:0.#} s after {o.WarmupSeconds:0.#} s warm-up at {o.RateStart} msg/s";
        int firstEventsStep = Enumerable.Range(1, o.MaxSteps).FirstOrDefault(k => o.RateOf(k) >= o.EventsRateFloor, o.MaxSteps);
        s["fanout-events first step"] =
            $"first step with at least {o.EventsRateFloor} msg/s ({o.RateOf(firstEventsStep)} msg/s); warm-up at that rate";
        s["p99 limit ms"] = o.P99LimitMs.ToString("0.#");
        s["grace after a step s"] = o.GraceSeconds.ToString("0.#");
        s["content characters"] = o.ContentSize.ToString();
        s["idle connections"] = o.Connections.ToString();
        s["history messages"] = o.Messages.ToString();
        s["history queries per kind"] = o.Queries.ToString();
        s["server logging"] = "Logging__LogLevel__Default=Warning";
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static string? ReadKey(string path, string key, char separator = ':')
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                int at = line.IndexOf(separator);
                if (at > 0 && line[..at].Trim() == key) return line[(at + 1)..].Trim();
            }
        }
        catch
        {
        }
        return null;
    }

    private static string? ReadFirstLine(string path)
    {
        try { return File.ReadLines(path).FirstOrDefault()?.Trim(); } catch { return null; }
    }
}
