using Microsoft.Extensions.Options;

namespace GitpleLive.Server.Hosting;

/// <summary>
/// Refuses settings the server cannot run with, at start-up, each failure naming its setting, rather than
/// failing later on the first request that needs it.
/// </summary>
internal sealed class ChatServerOptionsValidator : IValidateOptions<ChatServerOptions>
{
    private const string Prefix = ChatServerOptions.Section + ":";

    public ValidateOptionsResult Validate(string? name, ChatServerOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
            failures.Add($"{Prefix}DataDirectory must not be empty.");
        if (options.StorageProvider.ToLowerInvariant() is not ("sqlite" or "postgres" or "postgresql"))
            failures.Add($"{Prefix}StorageProvider '{options.StorageProvider}' is not supported (use sqlite or postgres).");
        else if (options.UsesPostgres && string.IsNullOrEmpty(options.ConnectionString))
            failures.Add($"{Prefix}ConnectionString is required for the postgres storage provider.");
        if (options.PublicBaseUrl is { Length: > 0 } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
            failures.Add($"{Prefix}PublicBaseUrl '{url}' must be an absolute URL.");
        if (options.FileUrlKey is { } fileKey && fileKey.Length < 16)
            failures.Add($"{Prefix}FileUrlKey must be at least 16 characters.");
        foreach (var proxy in options.KnownProxies)
            if (!System.Net.IPAddress.TryParse(proxy, out _))
                failures.Add($"{Prefix}KnownProxies entry '{proxy}' is not an IP address.");
        foreach (var network in options.KnownNetworks)
            if (!System.Net.IPNetwork.TryParse(network, out _))
                failures.Add($"{Prefix}KnownNetworks entry '{network}' is not a network in CIDR form (e.g. 10.0.0.0/8).");
        Positive(failures, nameof(options.SdkTokenLifetime), options.SdkTokenLifetime);
        if (options.SdkTokenGrace < TimeSpan.Zero)
            failures.Add($"{Prefix}SdkTokenGrace must not be negative (was {options.SdkTokenGrace}).");
        Positive(failures, nameof(options.FileUrlLifetime), options.FileUrlLifetime);
        Positive(failures, nameof(options.MaxJsonBodySize), options.MaxJsonBodySize);
        Positive(failures, nameof(options.MaxUploadSize), options.MaxUploadSize);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Positive(List<string> failures, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero) failures.Add($"{Prefix}{setting} must be positive (was {value}).");
    }

    private static void Positive(List<string> failures, string setting, long value)
    {
        if (value <= 0) failures.Add($"{Prefix}{setting} must be positive (was {value}).");
    }
}
