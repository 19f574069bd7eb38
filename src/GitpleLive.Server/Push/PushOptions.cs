using Microsoft.Extensions.Options;

namespace GitpleLive.Server.Push;

/// <summary>Settings of push delivery, bound from the <c>GitpleLive:Push</c> configuration section.</summary>
public sealed class PushOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "GitpleLive:Push";

    /// <summary>Whether this node runs the push dispatcher. Default true (every node may; leases keep them apart).</summary>
    public bool EnableDispatcher { get; set; } = true;

    /// <summary>How often the dispatcher looks for due pushes when nothing woke it. Default 1 second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long the dispatcher waits after a send on this node woke it before claiming, so the messages of a busy moment
    /// are claimed and finished together (on SQLite, every store write queues behind the sends). Default 25 ms.
    /// </summary>
    public TimeSpan BatchDelay { get; set; } = TimeSpan.FromMilliseconds(25);

    /// <summary>Most outbox rows (messages) one dispatcher claims at a time; bounds its memory. Default 16.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>How long a claim lasts before another node may take the rows over; renewed while working. Default 60 seconds.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Most provider requests in flight for one app on one node. Default 16.</summary>
    public int MaxConcurrencyPerApp { get; set; } = 16;

    /// <summary>Time allowed for one provider request (FCM, APNs, webhook, token endpoint). Default 10 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Delay before the first retry; doubled per attempt, with jitter. Default 2 seconds.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest delay between two attempts. Default 5 minutes.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most attempts of one delivery before it is given up. Default 10.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>A push older than this is given up (a late notification is noise). Default 1 hour.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>Refuses push settings the dispatcher cannot run with, each failure naming its setting.</summary>
internal sealed class PushOptionsValidator : IValidateOptions<PushOptions>
{
    public ValidateOptionsResult Validate(string? name, PushOptions options)
    {
        var failures = new OptionsFailures(PushOptions.Section);
        failures.Positive(nameof(options.PollInterval), options.PollInterval);
        failures.Positive(nameof(options.RequestTimeout), options.RequestTimeout);
        failures.NotNegative(nameof(options.BatchDelay), (long)options.BatchDelay.TotalMilliseconds);
        failures.Positive(nameof(options.RetryBaseDelay), options.RetryBaseDelay);
        failures.Positive(nameof(options.MaxAge), options.MaxAge);
        if (options.BatchSize is < 1 or > 1000)
            failures.Add(nameof(options.BatchSize), $"must be from 1 to 1000 (was {options.BatchSize}).");
        if (options.MaxConcurrencyPerApp is < 1 or > 1000)
            failures.Add(nameof(options.MaxConcurrencyPerApp), $"must be from 1 to 1000 (was {options.MaxConcurrencyPerApp}).");
        if (options.MaxAttempts is < 1 or > 100)
            failures.Add(nameof(options.MaxAttempts), $"must be from 1 to 100 (was {options.MaxAttempts}).");
        if (options.RetryMaxDelay < options.RetryBaseDelay)
            failures.Add(nameof(options.RetryMaxDelay), $"must be at least RetryBaseDelay (was {options.RetryMaxDelay}).");
        if (options.LeaseDuration < TimeSpan.FromSeconds(1) || options.LeaseDuration < options.RequestTimeout)
            failures.Add(nameof(options.LeaseDuration),
                $"must be at least 1 second and at least RequestTimeout (was {options.LeaseDuration}).");
        return failures.Result();
    }
}
