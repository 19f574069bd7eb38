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
        failures.Positive(nameof(options.ConnectTimeout), options.ConnectTimeout);
        if (options.MaxConnectPacketSize < 128)
            failures.Add(nameof(options.MaxConnectPacketSize), $"must be at least 128 (was {options.MaxConnectPacketSize}).");
        if (options.MaxPacketSize < 128)
            failures.Add(nameof(options.MaxPacketSize), $"must be at least 128 (was {options.MaxPacketSize}).");
        return failures.Result();
    }
}
