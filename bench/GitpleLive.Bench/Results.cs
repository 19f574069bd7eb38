namespace GitpleLive.Bench;

/// <summary>All figures of one run; written as summary.json and rendered into report.md.</summary>
public sealed class BenchResults
{
    public string StartedAt { get; set; } = "";
    public string? FinishedAt { get; set; }
    public bool Quick { get; set; }
    public Dictionary<string, string> Machine { get; set; } = [];
    public Dictionary<string, string> Settings { get; set; } = [];
    public FanoutResult? ServerFanout { get; set; }
    /// <summary>The server's pure fan-out: load from its diagnostics event generator (no HTTP send, no storage).</summary>
    public FanoutResult? ServerEventsFanout { get; set; }
    public FanoutResult? MosquittoFanout { get; set; }
    public ConnectionsResult? ServerConnections { get; set; }
    public ConnectionsResult? MosquittoConnections { get; set; }
    public HistoryResult? History { get; set; }
    public List<string> Skipped { get; set; } = [];
    public List<string> Notes { get; set; } = [];
}

public sealed class StepResult
{
    public int Step { get; set; }
    /// <summary>0 for the first run of a step, 1 for its retry after a failure.</summary>
    public int Attempt { get; set; }
    public int RateMessages { get; set; }
    public double OfferedDeliveriesPerSecond { get; set; }
    public long Sent { get; set; }
    public long NotOffered { get; set; }
    public long SendErrors { get; set; }
    public long Expected { get; set; }
    public long Received { get; set; }
    public long Lost { get; set; }
    public double DeliveriesPerSecond { get; set; }
    public double P50Ms { get; set; }
    public double P99Ms { get; set; }
    public double MaxMs { get; set; }
    public double ServerCpuPercent { get; set; }
    public double ServerRssMb { get; set; }
    public double GeneratorCpuPercent { get; set; }
    public bool Passed { get; set; }
    public string Verdict { get; set; } = "";
}

public sealed class FanoutResult
{
    public string Target { get; set; } = "";
    public int Users { get; set; }
    public int Members { get; set; }
    public int Channels { get; set; }
    public double SetupSeconds { get; set; }
    public double ConnectSeconds { get; set; }
    public int PayloadBytes { get; set; }
    public double WarmupSeconds { get; set; }
    public long TotalDeliveries { get; set; }
    public long Disconnects { get; set; }
    public List<StepResult> Steps { get; set; } = [];
    /// <summary>Highest delivered rate among passing steps (0 when none passed).</summary>
    public double MaxSustainableDeliveriesPerSecond { get; set; }
    public string? StopReason { get; set; }
    public string? Error { get; set; }
}

public sealed class ConnectionsResult
{
    public string Target { get; set; } = "";
    public int Requested { get; set; }
    public int Connected { get; set; }
    public int Failed { get; set; }
    public double SetupSeconds { get; set; }
    public double ConnectSeconds { get; set; }
    public double ConnectsPerSecond { get; set; }
    public double RssBeforeMb { get; set; }
    public double RssAfterMb { get; set; }
    public double RssPerConnectionKb { get; set; }
    public double ServerCpuSecondsForConnect { get; set; }
    public string? FirstError { get; set; }
    public string? Error { get; set; }
}

/// <summary>The timings of one kind of history page read.</summary>
public sealed record LatencySummary(
    string Name, int Count, int Errors, double P50Ms, double P90Ms, double P99Ms, double MaxMs, double MeanMs, double AverageResults);

/// <summary>One send-rate window of the history scenario: so many concurrent senders, for so long.</summary>
public sealed record SendRateResult(
    int Senders, double Seconds, long Messages, long Errors, double MessagesPerSecond, double P50Ms, double P99Ms, double ServerCpuPercent);

public sealed class HistoryResult
{
    public int RequestedMessages { get; set; }
    public long StoredMessages { get; set; }
    public double LoadSeconds { get; set; }
    public double LoadMessagesPerSecond { get; set; }
    public long LoadErrors { get; set; }
    public string LoadPath { get; set; } = "";
    /// <summary>Messages stored by the import endpoint (the rest came from the send-rate windows).</summary>
    public long ImportedMessages { get; set; }
    public double ImportSeconds { get; set; }
    public double ImportMessagesPerSecond { get; set; }
    public double DataDirectoryMb { get; set; }
    public double ServerRssMb { get; set; }
    public List<SendRateResult> SendRates { get; set; } = [];
    public List<LatencySummary> Queries { get; set; } = [];
    public string? Error { get; set; }
}
