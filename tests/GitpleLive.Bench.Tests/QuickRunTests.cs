using System.Text.Json;
using GitpleLive.Bench;
using GitpleLive.Bench.Targets;
using Xunit;
using Xunit.Abstractions;

namespace GitpleLive.Bench.Tests;

/// <summary>The kit end to end in its quick mode: real server process, real sockets, report on disk.</summary>
public sealed class QuickRunTests(ITestOutputHelper output)
{
    [Fact]
    public async Task QuickRunWritesReportWithDeliveries()
    {
        var dir = Path.Combine(Path.GetTempPath(), "gitplelive-bench-smoke-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            int code = await BenchApp.RunAsync(["all", "--quick", "--out", dir]);

            var reportPath = Path.Combine(dir, "report.md");
            Assert.True(File.Exists(reportPath), "report.md missing");
            var report = await File.ReadAllTextAsync(reportPath);
            output.WriteLine(report);
            var errors = Path.Combine(dir, "logs", "errors.log");
            if (File.Exists(errors)) output.WriteLine(await File.ReadAllTextAsync(errors));

            var results = JsonSerializer.Deserialize<BenchResults>(await File.ReadAllTextAsync(Path.Combine(dir, "summary.json")))!;
            Assert.NotNull(results.ServerFanout);
            Assert.Null(results.ServerFanout!.Error);
            Assert.True(results.ServerFanout.TotalDeliveries > 0, "the server delivered nothing");
            Assert.True(results.ServerFanout.Steps.Count > 0);
            Assert.Contains("## Fan-out", report);
            Assert.True(File.Exists(Path.Combine(dir, "fanout-p99.png")), "fan-out plot missing");

            Assert.NotNull(results.ServerConnections);
            Assert.True(results.ServerConnections!.Connected > 0, "no idle connection to the server");
            Assert.NotNull(results.History);
            Assert.True(results.History!.StoredMessages > 0, "no history message stored");
            Assert.Equal(8, results.History.Queries.Count);
            Assert.Contains(results.History.Queries, q => q.Name.StartsWith("search", StringComparison.Ordinal) && q.Count > 0);

            if (MosquittoHost.Locate() is not null)
            {
                Assert.NotNull(results.MosquittoFanout);
                Assert.True(results.MosquittoFanout!.TotalDeliveries > 0, "Mosquitto delivered nothing");
                Assert.NotNull(results.MosquittoConnections);
            }
            else
            {
                output.WriteLine("mosquitto not installed: baseline skipped (apt-get install -y mosquitto)");
                Assert.Contains(results.Skipped, s => s.Contains("apt-get install -y mosquitto"));
            }
            Assert.Equal(0, code);
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch { }
        }
    }

    [Fact]
    public void QuickModeIsSmall()
    {
        var o = new BenchOptions();
        o.ApplyQuick();
        Assert.True(o.Users * 1.0 / o.Members >= 2);
        Assert.True(o.WarmupSeconds + o.MaxSteps * (o.StepSeconds + o.GraceSeconds) <= 10);
        Assert.True(o.Connections <= 500);
        Assert.True(o.Messages <= 5_000);
    }
}
