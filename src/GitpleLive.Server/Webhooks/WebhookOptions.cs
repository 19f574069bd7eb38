using Microsoft.Extensions.Options;

namespace GitpleLive.Server.Webhooks;

/// <summary>How webhooks are queued and sent, bound from <c>GitpleLive:Webhooks</c>.</summary>
public sealed class WebhookOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "GitpleLive:Webhooks";

    /// <summary>
    /// Whether this node delivers webhooks. Default true (every node may; leases keep them apart). A node with it off still
    /// stores the deliveries of its changes, for the nodes that deliver.
    /// </summary>
    public bool EnableDispatcher { get; set; } = true;

    /// <summary>Longest wait for a receiver's answer to one attempt; then it is retried. Default 10 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Wait before the first retry; each later one doubles it (with jitter), up to <see cref="MaxRetryDelay"/>. Default 5 s.
    /// </summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Longest wait between two attempts. Default 10 minutes.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A delivery still failing this long after its change is given up (logged as <c>failed</c>); the next one of its channel
    /// then goes. Default 1 hour.
    /// </summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Most deliveries of one app in flight at once (each to a different channel), across the cluster. Default 32: with one
    /// delivery per channel in flight, this is what lets a busy app's deliveries keep up (at 8, a single node fell seconds
    /// behind at 600 changes a second; see bench/RESULTS.md).
    /// </summary>
    public int MaxConcurrencyPerApp { get; set; } = 32;

    /// <summary>Most deliveries this node has in flight at once, all apps together. Default 64.</summary>
    public int MaxInFlight { get; set; } = 64;

    /// <summary>
    /// How often the worker looks for due deliveries when nothing woke it (its own node's new deliveries and finished
    /// attempts wake it at once). Default 1 second.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a delivery waits after its change's stamp before it may be sent, so one that another node stamped but has
    /// not committed yet cannot be overtaken by a later one of the same channel. Default: none on one node, 500 ms with Redis.
    /// </summary>
    public TimeSpan? OrderingDelay { get; set; }

    /// <summary>Most deliveries written to the queue in one transaction. Default 500.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// Most changes held in memory between their publication and the queue write; past it new ones are dropped (and
    /// counted), so a stuck database never grows the process without bound. Default 100,000.
    /// </summary>
    public int MaxBuffered { get; set; } = 100_000;

    /// <summary>How long finished deliveries stay in the log. Default 7 days.</summary>
    public TimeSpan LogRetention { get; set; } = TimeSpan.FromDays(7);

    internal TimeSpan Lease => AttemptTimeout + TimeSpan.FromSeconds(30);
}

/// <summary>Refuses webhook settings the worker cannot run with, each failure naming its setting.</summary>
internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = new OptionsFailures(WebhookOptions.Section);
        failures.Positive(nameof(options.AttemptTimeout), options.AttemptTimeout);
        if (options.AttemptTimeout > TimeSpan.FromMinutes(5))
            failures.Add(nameof(options.AttemptTimeout), $"must be at most 5 minutes (was {options.AttemptTimeout}).");
        failures.Positive(nameof(options.FirstRetryDelay), options.FirstRetryDelay);
        if (options.MaxRetryDelay < options.FirstRetryDelay)
            failures.Add(nameof(options.MaxRetryDelay), $"must be at least FirstRetryDelay (was {options.MaxRetryDelay}).");
        failures.Positive(nameof(options.GiveUpAfter), options.GiveUpAfter);
        failures.Positive(nameof(options.MaxConcurrencyPerApp), options.MaxConcurrencyPerApp);
        failures.Positive(nameof(options.MaxInFlight), options.MaxInFlight);
        failures.Positive(nameof(options.PollInterval), options.PollInterval);
        if (options.OrderingDelay is { } delay && delay < TimeSpan.Zero)
            failures.Add(nameof(options.OrderingDelay), $"must not be negative (was {delay}).");
        if (options.BatchSize is < 1 or > 10_000)
            failures.Add(nameof(options.BatchSize), $"must be from 1 to 10000 (was {options.BatchSize}).");
        failures.Positive(nameof(options.MaxBuffered), options.MaxBuffered);
        failures.Positive(nameof(options.LogRetention), options.LogRetention);
        return failures.Result();
    }
}
