namespace GitpleLive.Bench;

/// <summary>Everything a run can be told on the command line, with the full-run defaults.</summary>
public sealed class BenchOptions
{
    // fanout / baseline
    public int Users { get; set; } = 1000;
    public int Members { get; set; } = 50;
    public double StepSeconds { get; set; } = 10;
    public double WarmupSeconds { get; set; } = 30;
    /// <summary>Messages per second of the first step (deliveries/s = rate × members).</summary>
    public int RateStart { get; set; } = 40;
    /// <summary>Messages per second added per step.</summary>
    public int RateStep { get; set; } = 0;
    /// <summary>Factor applied per step (geometric steps cover both brokers' ranges in few steps).</summary>
    public double RateFactor { get; set; } = 1.25;

    /// <summary>Offered messages per second of step <paramref name="step"/> (1-based).</summary>
    public int RateOf(int step) =>
        (int)Math.Round((RateStart + (double)RateStep * (step - 1)) * Math.Pow(Math.Max(1, RateFactor), step - 1));
    public int MaxSteps { get; set; } = 40;
    /// <summary>fanout-events starts at the first step offering at least this many messages/s.</summary>
    public int EventsRateFloor { get; set; } = 150;
    public double P99LimitMs { get; set; } = 100;
    /// <summary>How long after a step's last send its deliveries are still counted.</summary>
    public double GraceSeconds { get; set; } = 2;
    public int ContentSize { get; set; } = 100;
    /// <summary>Upper bound on REST sends in flight; a send that finds no slot counts as not offered.</summary>
    public int MaxInFlight { get; set; } = 512;
    /// <summary>When false, every step runs even after one failed (the quick mode does that).</summary>
    public bool StopOnFailure { get; set; } = true;
    /// <summary>How often a failed step is run again before the run stops.</summary>
    public int Retries { get; set; } = 1;

    // connections
    public int Connections { get; set; } = 10_000;
    public int ConnectConcurrency { get; set; } = 64;
    /// <summary>Pause before RSS is read (before connecting, and again after).</summary>
    public double SettleSeconds { get; set; } = 3;

    // history
    public int Messages { get; set; } = 1_000_000;
    public double HistoryRateSeconds { get; set; } = 10;
    /// <summary>Import requests (1,000 messages each) in flight while loading the history.</summary>
    public int ImportConcurrency { get; set; } = 4;
    public int Queries { get; set; } = 300;
    public int PageSize { get; set; } = 20;

    // process placement and output
    public int ServerCpu { get; set; } = 0;
    public int GeneratorCpu { get; set; } = 1;
    public bool Pin { get; set; } = true;
    public string? OutputDirectory { get; set; }
    public string? ServerDll { get; set; }
    public bool NoBuild { get; set; }
    public bool Quick { get; set; }

    /// <summary>The smoke settings: the whole kit end to end in well under a minute.</summary>
    public void ApplyQuick()
    {
        Quick = true;
        Users = 100;
        Members = 10;
        StepSeconds = 2;
        WarmupSeconds = 1;
        RateStart = 100;
        RateStep = 100;
        RateFactor = 1;
        MaxSteps = 2;
        EventsRateFloor = 0;
        GraceSeconds = 1;
        StopOnFailure = false;
        Connections = 200;
        SettleSeconds = 1;
        Messages = 2_000;
        HistoryRateSeconds = 1;
        Queries = 25;
    }
}
