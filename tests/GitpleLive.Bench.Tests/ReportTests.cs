using GitpleLive.Bench.Report;
using Xunit;

namespace GitpleLive.Bench.Tests;

public sealed class ReportTests
{
    private static BenchResults Sample()
    {
        StepResult Step(int i, double p99, bool passed) => new()
        {
            Step = i, RateMessages = 200 * i, OfferedDeliveriesPerSecond = 10_000 * i, DeliveriesPerSecond = 10_000 * i,
            P50Ms = p99 / 4, P99Ms = p99, MaxMs = p99 * 2, Passed = passed, Verdict = passed ? "pass" : "p99 too high",
        };
        return new BenchResults
        {
            ServerFanout = new FanoutResult { Target = "server", Steps = [Step(1, 3, true), Step(2, 8, true), Step(3, 900, false)], MaxSustainableDeliveriesPerSecond = 20_000 },
            MosquittoFanout = new FanoutResult { Target = "mosquitto", Steps = [Step(1, 1, true), Step(2, 2, true), Step(3, 4, true), Step(4, 150, false)], MaxSustainableDeliveriesPerSecond = 30_000 },
            ServerConnections = new ConnectionsResult { Target = "server", Connected = 100, RssPerConnectionKb = 30, ConnectSeconds = 2 },
            MosquittoConnections = new ConnectionsResult { Target = "mosquitto", Connected = 100, RssPerConnectionKb = 6, ConnectSeconds = 1 },
        };
    }

    [Fact]
    public void SummaryPrintsRatios()
    {
        var table = ReportWriter.SummaryTable(Sample());
        Assert.Contains("| full path (REST send + persist + fan-out): max sustainable deliveries/s | 20,000 | 30,000 | 0.67 |", table);
        Assert.Contains("| full path (REST send + persist + fan-out): p99 ms at 20,000 offered deliveries/s | 8.0 | 2.0 | 4.00 |", table);
        Assert.DoesNotContain("server events", table);
        Assert.Contains("| RSS per idle connection KB | 30.0 | 6.0 | 5.00 |", table);
    }

    [Fact]
    public void SummaryPutsServerEventsBesideMosquitto()
    {
        var r = Sample();
        r.ServerEventsFanout = new FanoutResult
        {
            Target = "server-events", MaxSustainableDeliveriesPerSecond = 60_000,
            Steps = [new StepResult { Step = 3, RateMessages = 600, OfferedDeliveriesPerSecond = 30_000, P99Ms = 6, Passed = true }],
        };
        var table = ReportWriter.SummaryTable(r);
        Assert.Contains("| fan-out only (server events): max sustainable deliveries/s | 60,000 | 30,000 | 2.00 |", table);
        Assert.Contains("| fan-out only (server events): p99 ms at 30,000 offered deliveries/s | 6.0 | 4.0 | 1.50 |", table);
        Assert.Contains("| full path (REST send + persist + fan-out): max sustainable deliveries/s | 20,000 | 30,000 | 0.67 |", table);
    }

    [Fact]
    public void EventMarkerIsRead()
    {
        var json = "{\"message\":{\"content\":\"bench:42:638999999999999999:xxxx\"}}"u8;
        Assert.True(Scenarios.EventMarker.TryRead(json, out var sequence, out var ticks));
        Assert.Equal(42, sequence);
        Assert.Equal(638999999999999999, ticks);
        Assert.False(Scenarios.EventMarker.TryRead("{\"content\":\"bench|000|\"}"u8, out _, out _));
    }

    [Fact]
    public void PlotsAreWritten()
    {
        var dir = Directory.CreateTempSubdirectory("gitplelive-bench-plots-").FullName;
        var samples = new Dictionary<string, List<double>>
        {
            ["latest page"] = Enumerable.Range(1, 200).Select(i => 1 + i % 7 * 0.3).ToList(),
            ["content filter"] = Enumerable.Range(1, 200).Select(i => 10 + i % 13 * 2.0).ToList(),
        };
        Assert.NotNull(Plots.FanoutP99(Sample(), dir));
        Assert.NotNull(Plots.HistoryHistogram(samples, dir));
        Assert.True(new FileInfo(Path.Combine(dir, "fanout-p99.png")).Length > 1000);
        Assert.True(new FileInfo(Path.Combine(dir, "history-latency.png")).Length > 1000);
        Directory.Delete(dir, true);
    }
}
