using ScottPlot;

namespace GitpleLive.Bench.Report;

/// <summary>The PNG figures of a run.</summary>
public static class Plots
{
    /// <summary>p99 latency against offered deliveries/s, one line per broker.</summary>
    public static string? FanoutP99(BenchResults results, string directory)
    {
        var runs = new[] { results.ServerFanout, results.ServerEventsFanout, results.MosquittoFanout }
            .Where(r => r is { Steps.Count: > 0 })
            .ToList();
        if (runs.Count == 0) return null;
        var plot = new Plot();
        foreach (var run in runs)
        {
            var xs = run!.Steps.Select(s => s.OfferedDeliveriesPerSecond).ToArray();
            var ys = run.Steps.Select(s => Log(s.P99Ms)).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = run.Target switch
            {
                "server" => "GitpleLive server (REST sends)",
                "server-events" => "GitpleLive server (generated events)",
                _ => "Mosquitto (bare relay)",
            };
            line.LineWidth = 2;
            line.MarkerSize = 7;
            var failed = run.Steps.Where(s => !s.Passed).ToList();
            if (failed.Count > 0)
            {
                var marks = plot.Add.ScatterPoints(
                    failed.Select(s => s.OfferedDeliveriesPerSecond).ToArray(), failed.Select(s => Log(s.P99Ms)).ToArray());
                marks.MarkerShape = MarkerShape.Eks;
                marks.MarkerSize = 12;
                marks.Color = line.Color;
            }
        }
        double limitMs = results.Settings.TryGetValue("p99 limit ms", out var l) && double.TryParse(l, out var v) ? v : 100;
        var limit = plot.Add.HorizontalLine(Log(limitMs));
        limit.LinePattern = LinePattern.Dashed;
        limit.Color = Colors.Gray;
        limit.LegendText = "p99 limit";
        plot.Title("Fan-out: p99 send→receive latency vs offered load (× = failed step)");
        plot.XLabel("offered deliveries per second");
        plot.YLabel("p99 latency (ms, log scale)");
        var p99s = runs.SelectMany(r => r!.Steps.Select(s => s.P99Ms)).Append(limitMs).ToList();
        var (positions, labels) = LogTicks(Log(p99s.Min()), Log(p99s.Max()));
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.ShowLegend(Alignment.UpperLeft);
        var path = Path.Combine(directory, "fanout-p99.png");
        plot.SavePng(path, 1000, 600);
        return path;
    }

    /// <summary>Histogram of history page-read latencies, one series per query kind.</summary>
    public static string? HistoryHistogram(Dictionary<string, List<double>> samples, string directory)
    {
        var all = samples.Values.SelectMany(v => v).ToList();
        if (all.Count == 0) return null;
        // Bin on a log scale so fast pages and slow filters fit one figure.
        double lo = Math.Max(0.05, all.Min()), hi = Math.Max(lo * 1.5, all.Max());
        int bins = Math.Clamp(all.Count / 10, 10, 40);
        double logLo = Math.Log10(lo), step = (Math.Log10(hi) - logLo) / bins;
        var plot = new Plot();
        foreach (var (name, values) in samples)
        {
            if (values.Count == 0) continue;
            var counts = new double[bins];
            foreach (var x in values)
            {
                int b = (int)Math.Clamp((Math.Log10(Math.Max(x, lo)) - logLo) / step, 0, bins - 1);
                counts[b]++;
            }
            var xs = Enumerable.Range(0, bins).Select(b => logLo + (b + 0.5) * step).ToArray();
            var line = plot.Add.Scatter(xs, counts.Select(c => 100 * c / values.Count).ToArray());
            line.LegendText = name;
            line.LineWidth = 2;
            line.MarkerSize = 4;
        }
        var (positions, labels) = LogTicks(logLo - step, logLo + (bins + 1) * step);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.Title("History page reads: latency distribution");
        plot.XLabel("latency (ms, log scale)");
        plot.YLabel("share of requests (%)");
        plot.ShowLegend(Alignment.UpperRight);
        var path = Path.Combine(directory, "history-latency.png");
        plot.SavePng(path, 1000, 600);
        return path;
    }

    private static double Log(double ms) => Math.Log10(Math.Max(ms, 0.01));

    /// <summary>Ticks at 1-2-5 steps (milliseconds) between two log10 positions.</summary>
    private static (double[] Positions, string[] Labels) LogTicks(double lo, double hi)
    {
        var positions = new List<double>();
        var labels = new List<string>();
        for (int e = -2; e <= 6; e++)
            foreach (var m in new[] { 1, 2, 5 })
            {
                double ms = m * Math.Pow(10, e), x = Math.Log10(ms);
                if (x < lo - 0.15 || x > hi + 0.15) continue;
                positions.Add(x);
                labels.Add(ms < 1 ? ms.ToString("0.##") : ms.ToString("N0"));
            }
        return (positions.ToArray(), labels.ToArray());
    }
}
