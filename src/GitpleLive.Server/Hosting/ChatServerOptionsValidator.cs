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
        failures.Positive(nameof(options.SdkTokenLifetime), options.SdkTokenLifetime);
        failures.Positive(nameof(options.FileUrlLifetime), options.FileUrlLifetime);
        failures.Positive(nameof(options.MaxJsonBodySize), options.MaxJsonBodySize);
        failures.Positive(nameof(options.MaxUploadSize), options.MaxUploadSize);
        return failures.Result();
    }
}
