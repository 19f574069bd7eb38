using Microsoft.Extensions.Options;

namespace GitpleLive.Server.Hosting;

/// <summary>
/// Refuses settings the server cannot run with, at start-up, each failure naming its setting, rather than
/// failing later on the first request that needs it.
/// </summary>
internal sealed class ChatServerOptionsValidator : IValidateOptions<ChatServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ChatServerOptions options)
    {
        var failures = new OptionsFailures(ChatServerOptions.Section);
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
            failures.Add(nameof(options.DataDirectory), "must not be empty.");
        if (options.StorageProvider.ToLowerInvariant() is not ("sqlite" or "postgres" or "postgresql"))
            failures.Add(nameof(options.StorageProvider), $"'{options.StorageProvider}' is not supported (use sqlite or postgres).");
        else if (options.UsesPostgres && string.IsNullOrEmpty(options.ConnectionString))
            failures.Add(nameof(options.ConnectionString), "is required for the postgres storage provider.");
        if (options.PublicBaseUrl is { Length: > 0 } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
            failures.Add(nameof(options.PublicBaseUrl), $"'{url}' must be an absolute URL.");
        if (options.FileUrlKey is { } fileKey && fileKey.Length < 16)
            failures.Add(nameof(options.FileUrlKey), "must be at least 16 characters.");
        foreach (var proxy in options.KnownProxies)
            if (!System.Net.IPAddress.TryParse(proxy, out _))
                failures.Add(nameof(options.KnownProxies), $"entry '{proxy}' is not an IP address.");
        foreach (var network in options.KnownNetworks)
            if (!System.Net.IPNetwork.TryParse(network, out _))
                failures.Add(nameof(options.KnownNetworks), $"entry '{network}' is not a network in CIDR form (e.g. 10.0.0.0/8).");
        failures.Positive(nameof(options.SdkTokenLifetime), options.SdkTokenLifetime);
        if (options.SdkTokenGrace < TimeSpan.Zero)
            failures.Add(nameof(options.SdkTokenGrace), $"must not be negative (was {options.SdkTokenGrace}).");
        failures.Positive(nameof(options.FileUrlLifetime), options.FileUrlLifetime);
        failures.Positive(nameof(options.SearchIndexInterval), options.SearchIndexInterval);
        failures.Positive(nameof(options.MaxJsonBodySize), options.MaxJsonBodySize);
        failures.Positive(nameof(options.MaxUploadSize), options.MaxUploadSize);
        return failures.Result();
    }
}
