using Microsoft.Extensions.Options;

namespace GitpleLive.Server.Realtime;

/// <summary>Refuses broker settings it cannot run with, at start-up, each failure naming its setting.</summary>
internal sealed class RealtimeOptionsValidator : IValidateOptions<RealtimeOptions>
{
    private const string Prefix = RealtimeOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, RealtimeOptions options)
    {
        var failures = new List<string>();
        if (!options.Path.StartsWith('/'))
            failures.Add($"{Prefix}Path '{options.Path}' must start with '/'.");
        if (options.MaxQueuedPackets <= 0)
            failures.Add($"{Prefix}MaxQueuedPackets must be positive (was {options.MaxQueuedPackets}).");
        if (options.MaxQueuedBytes <= 0)
            failures.Add($"{Prefix}MaxQueuedBytes must be positive (was {options.MaxQueuedBytes}).");
        if (options.MaxWriteBatchBytes < 0)
            failures.Add($"{Prefix}MaxWriteBatchBytes must not be negative (was {options.MaxWriteBatchBytes}).");
        if (options.WriteStallTimeout <= TimeSpan.Zero)
            failures.Add($"{Prefix}WriteStallTimeout must be positive (was {options.WriteStallTimeout}).");
        if (options.CommunicationTimeout <= TimeSpan.Zero)
            failures.Add($"{Prefix}CommunicationTimeout must be positive (was {options.CommunicationTimeout}).");
        if (options.ConnectTimeout <= TimeSpan.Zero)
            failures.Add($"{Prefix}ConnectTimeout must be positive (was {options.ConnectTimeout}).");
        if (options.MaxConnectPacketSize < 128)
            failures.Add($"{Prefix}MaxConnectPacketSize must be at least 128 (was {options.MaxConnectPacketSize}).");
        if (options.MaxPacketSize < 128)
            failures.Add($"{Prefix}MaxPacketSize must be at least 128 (was {options.MaxPacketSize}).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
