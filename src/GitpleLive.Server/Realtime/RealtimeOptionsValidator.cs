using GitpleLive.Server.Hosting;
using Microsoft.Extensions.Options;

namespace GitpleLive.Server.Realtime;

/// <summary>Refuses broker settings it cannot run with, at start-up, each failure naming its setting.</summary>
internal sealed class RealtimeOptionsValidator : IValidateOptions<RealtimeOptions>
{
    public ValidateOptionsResult Validate(string? name, RealtimeOptions options)
    {
        var failures = new OptionsFailures(RealtimeOptions.Section);
        if (!options.Path.StartsWith('/'))
            failures.Add(nameof(options.Path), $"'{options.Path}' must start with '/'.");
        failures.Positive(nameof(options.MaxQueuedPackets), options.MaxQueuedPackets);
        failures.Positive(nameof(options.MaxQueuedBytes), options.MaxQueuedBytes);
        failures.NotNegative(nameof(options.MaxWriteBatchBytes), options.MaxWriteBatchBytes);
        failures.Positive(nameof(options.WriteStallTimeout), options.WriteStallTimeout);
        failures.Positive(nameof(options.CommunicationTimeout), options.CommunicationTimeout);
        return failures.Result();
    }
}
