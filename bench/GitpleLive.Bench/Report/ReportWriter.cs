using System.Globalization;
using System.Text;

namespace GitpleLive.Bench.Report;

/// <summary>Renders <see cref="BenchResults"/> as the Markdown report of a run.</summary>
public static class ReportWriter
{
    public static string Render(BenchResults r, IReadOnlyCollection<string> images)
    {
        var sb = new StringBuilder();
        var title = r.Quick ? "GitpleLive benchmark (quick smoke run: figures are not measurements)" : "GitpleLive benchmark";
        sb.AppendLine($"# {title}").AppendLine();
        sb.AppendLine($"Started {r.StartedAt}, finished {r.FinishedAt}.").AppendLine();

        sb.AppendLine("## Machine and settings").AppendLine();
        sb.AppendLine("| | |").AppendLine("|---|---|");
        foreach (var (k, v) in r.Machine) sb.AppendLine($"| {k} | {v} |");
        foreach (var (k, v) in r.Settings) sb.AppendLine($"| {k} | {v} |");
        sb.AppendLine();

        sb.AppendLine("## Summary: server / Mosquitto").AppendLine();
        sb.AppendLine(SummaryTable(r)).AppendLine();

        sb.AppendLine("## Fan-out").AppendLine();
        sb.AppendLine("Each step offers R messages/s for the step duration; every message goes to all members of one channel, " +
            "so offered deliveries/s = R × members. A step passes when nothing is lost, every send was offered and p99 ≤ the limit; " +
            "a failed step is run once more before the run stops. " +
            "Latency runs from the scheduled send time (before the REST POST, or before the PUBLISH for Mosquitto) " +
            "to the subscriber's receive.").AppendLine();
        foreach (var run in new[] { r.ServerFanout, r.ServerEventsFanout, r.MosquittoFanout })
        {
            if (run is null) continue;
            sb.AppendLine($"### {TargetTitle(run.Target)}").AppendLine();
            if (run.Target == "server-events")
                sb.AppendLine("Load from the server's diagnostics generator (`POST /v1/diagnostics/fanout`): " +
                    "events enter the server's event path directly, " +
                    "no HTTP send and no storage. " +
                    "Latency runs from the event's creation (UTC ticks in its content) to the subscriber's receive. " +
                    "\"generator CPU %\" here is the bench process alone, i.e. the lean subscribers receiving; " +
                    "\"not offered\" counts events the server's generator fell behind its schedule.").AppendLine();
            if (run.Error is not null) sb.AppendLine($"**Error:** {run.Error}").AppendLine();
            sb.AppendLine($"{run.Users:N0} subscribers in {run.Channels} channels of {run.Members}; " +
                $"event payload {run.PayloadBytes} bytes; " +
                $"setup {run.SetupSeconds:0.0} s, connect {run.ConnectSeconds:0.0} s, warm-up {run.WarmupSeconds:0} s; " +
                $"{run.TotalDeliveries:N0} deliveries in all; stop: {run.StopReason ?? "-"}.").AppendLine();
            if (run.Steps.Count > 0)
            {
                sb.AppendLine("| step | msg/s | offered deliv/s | delivered/s | p50 ms | p99 ms | max ms | lost | not offered " +
                    "| send errors " +
                    "| broker CPU % | broker RSS MB | generator CPU % | verdict |");
                sb.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
                foreach (var s in run.Steps)
                    sb.AppendLine($"| {s.Step}{(s.Attempt > 0 ? " (retry)" : "")} | {s.RateMessages:N0} " +
                        $"| {s.OfferedDeliveriesPerSecond:N0} " +
                        $"| {s.DeliveriesPerSecond:N0} | {s.P50Ms:0.0} | {s.P99Ms:0.0} | {s.MaxMs:0.0} | " +
                        $"{s.Lost:N0} | {s.NotOffered:N0} | {s.SendErrors:N0} | {s.ServerCpuPercent:0} | {s.ServerRssMb:0} " +
                        $"| {s.GeneratorCpuPercent:0} | {s.Verdict} |");
                sb.AppendLine();
                sb.AppendLine($"Max sustainable: **{run.MaxSustainableDeliveriesPerSecond:N0} deliveries/s**.").AppendLine();
                var busy = run.Steps.Where(s => s.GeneratorCpuPercent >= 90).ToList();
                if (busy.Count > 0)
                    sb.AppendLine($"Note: the generator used ≥ 90 % of its core in step(s) " +
                        $"{string.Join(", ", busy.Select(s => s.Step))}; " +
                        "those steps may be limited by the generator rather than the broker.").AppendLine();
            }
        }
        if (images.Contains("fanout-p99.png"))
            sb.AppendLine("![p99 latency vs offered deliveries/s](fanout-p99.png)").AppendLine();

        sb.AppendLine("## Idle connections").AppendLine();
        if (r.ServerConnections is null && r.MosquittoConnections is null) sb.AppendLine("Not run.").AppendLine();
        else
        {
            sb.AppendLine("Each connection is MQTT 3.1.1 over WebSocket, authenticated (SDK token for the server), " +
                "subscribed to its user topic, then idle; " +
                $"beyond {Scenarios.ConnectionsScenario.MaxDistinctUsers:N0} connections users hold several connections each " +
                "(distinct client ids). " +
                "RSS per connection = (RSS after − RSS before) / connected; " +
                "the server's figure includes whatever its GC has not returned yet.").AppendLine();
            sb.AppendLine("| broker | requested | connected | failed | time to connect s | connects/s " +
                "| RSS before MB | RSS after MB | RSS per connection KB |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (var c in new[] { r.ServerConnections, r.MosquittoConnections })
            {
                if (c is null) continue;
                sb.AppendLine($"| {c.Target} | {c.Requested:N0} | {c.Connected:N0} | {c.Failed:N0} " +
                    $"| {c.ConnectSeconds:0.00} | {c.ConnectsPerSecond:N0} | " +
                    $"{c.RssBeforeMb:0.0} | {c.RssAfterMb:0.0} | {c.RssPerConnectionKb:0.0} |");
            }
            sb.AppendLine();
            foreach (var c in new[] { r.ServerConnections, r.MosquittoConnections })
                if (c?.Error is not null) sb.AppendLine($"**{c.Target} error:** {c.Error}").AppendLine();
        }

        sb.AppendLine("## History").AppendLine();
        if (r.History is not { } h) sb.AppendLine("Not run.").AppendLine();
        else
        {
            if (h.Error is not null) sb.AppendLine($"**Error:** {h.Error}").AppendLine();
            sb.AppendLine($"{h.StoredMessages:N0} messages (requested {h.RequestedMessages:N0}) loaded through {h.LoadPath} " +
                $"in {h.LoadSeconds:0.0} s " +
                $"({h.LoadMessagesPerSecond:N0}/s overall, {h.LoadErrors} errors); " +
                $"of these {h.ImportedMessages:N0} by import in {h.ImportSeconds:0.0} s ({h.ImportMessagesPerSecond:N0}/s); " +
                $"data folder {h.DataDirectoryMb:0.0} MB; server RSS {h.ServerRssMb:0} MB.").AppendLine();
            sb.AppendLine("Send rate with persistence (REST POST, each a stored message):").AppendLine();
            AppendTable(sb, "| concurrent senders | messages | seconds | messages/s | POST p50 ms | POST p99 ms | server CPU % | errors |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|", h.SendRates,
                s => $"| {s.Senders} | {s.Messages:N0} | {s.Seconds:0.0} | {s.MessagesPerSecond:N0} " +
                    $"| {s.P50Ms:0.00} | {s.P99Ms:0.00} | {s.ServerCpuPercent:0} | {s.Errors} |");
            sb.AppendLine("Page reads (`GET /v1/sdk/group/channels/{id}/messages`) and searches (`GET /v1/sdk/search/messages`), " +
                "one at a time:").AppendLine();
            AppendTable(sb, "| query | requests | p50 ms | p90 ms | p99 ms | max ms | mean ms | messages per page | errors |",
                "|---|---:|---:|---:|---:|---:|---:|---:|---:|", h.Queries,
                q => $"| {q.Name} | {q.Count} | {q.P50Ms:0.00} | {q.P90Ms:0.00} | {q.P99Ms:0.00} | {q.MaxMs:0.00} " +
                    $"| {q.MeanMs:0.00} | {q.AverageResults:0.0} | {q.Errors} |");
            if (images.Contains("history-latency.png"))
                sb.AppendLine("![history page latency](history-latency.png)").AppendLine();
        }

        if (r.Skipped.Count > 0)
        {
            sb.AppendLine("## Skipped").AppendLine();
            foreach (var s in r.Skipped) sb.AppendLine($"- {s}");
            sb.AppendLine();
        }
        if (r.Notes.Count > 0)
        {
            sb.AppendLine("## Notes").AppendLine();
            foreach (var n in r.Notes) sb.AppendLine($"- {n}");
            sb.AppendLine();
        }
        return sb.ToString();
    }

    public static string TargetTitle(string target) => target switch
    {
        "server" => "GitpleLive server, REST sends (send + persist + fan-out)",
        "server-events" => "GitpleLive server, generated events (fan-out only)",
        _ => "Mosquitto (bare relay)",
    };

    /// <summary>The ratios the kit exists for; a missing side prints as n/a.</summary>
    public static string SummaryTable(BenchResults r)
    {
        var sb = new StringBuilder();
        sb.AppendLine("| figure | server | Mosquitto | server / Mosquitto |");
        sb.AppendLine("|---|---:|---:|---:|");
        var sf = r.ServerFanout;
        var ef = r.ServerEventsFanout;
        var mf = r.MosquittoFanout;
        if (sf?.Error is not null) sf = null;
        if (ef?.Error is not null) ef = null;
        if (mf?.Error is not null) mf = null;
        foreach (var (label, run) in new[] { ("fan-out only (server events)", ef), ("full path (REST send + persist + fan-out)", sf) })
        {
            if (run is null && r.ServerEventsFanout is null && label.StartsWith("fan-out only")) continue;
            sb.AppendLine(Row($"{label}: max sustainable deliveries/s",
                run?.MaxSustainableDeliveriesPerSecond, mf?.MaxSustainableDeliveriesPerSecond, "N0"));
            var equal = EqualLoad(run, mf);
            if (equal is { } e)
                sb.AppendLine(Row($"{label}: p99 ms at {e.Server.OfferedDeliveriesPerSecond:N0} offered deliveries/s",
                    e.Server.P99Ms, e.Mosquitto.P99Ms, "0.0"));
            else
                sb.AppendLine($"| {label}: p99 ms at equal load | n/a | n/a | n/a |");
        }
        var sc = r.ServerConnections is { Error: null } s1 ? s1 : null;
        var mc = r.MosquittoConnections is { Error: null } m1 ? m1 : null;
        sb.AppendLine(Row("RSS per idle connection KB", sc?.RssPerConnectionKb, mc?.RssPerConnectionKb, "0.0"));
        sb.AppendLine(Row($"time to connect {sc?.Connected ?? mc?.Connected ?? 0:N0} idle connections s",
            sc?.ConnectSeconds, mc?.ConnectSeconds, "0.00"));
        return sb.ToString();
    }

    /// <summary>The highest step both runs measured at the same rate, preferring one the server passed.</summary>
    public static (StepResult Server, StepResult Mosquitto)? EqualLoad(FanoutResult? server, FanoutResult? mosquitto)
    {
        if (server is null || mosquitto is null) return null;
        var pairs = server.Steps
            .Select(s => (Server: s, Mosquitto: mosquitto.Steps
                .Where(m => m.RateMessages == s.RateMessages)
                .OrderByDescending(m => m.Passed)
                .FirstOrDefault()))
            .Where(p => p.Mosquitto is not null)
            .ToList();
        if (pairs.Count == 0) return null;
        var best = pairs.Where(p => p.Server.Passed).DefaultIfEmpty(pairs[0]).Last();
        return (best.Server, best.Mosquitto!);
    }

    /// <summary>A Markdown table: its header, its alignment row, a row per item, then a blank line.</summary>
    private static void AppendTable<T>(StringBuilder sb, string header, string alignment, IEnumerable<T> items, Func<T, string> row)
    {
        sb.AppendLine(header);
        sb.AppendLine(alignment);
        foreach (var item in items) sb.AppendLine(row(item));
        sb.AppendLine();
    }

    private static string Row(string name, double? server, double? mosquitto, string format)
    {
        string S(double? v) => v is null ? "n/a" : v.Value.ToString(format, CultureInfo.InvariantCulture);
        string ratio = server is > 0 && mosquitto is > 0
            ? (server.Value / mosquitto.Value).ToString("0.00", CultureInfo.InvariantCulture)
            : "n/a";
        return $"| {name} | {S(server)} | {S(mosquitto)} | {ratio} |";
    }
}
