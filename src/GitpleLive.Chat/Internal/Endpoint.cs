using GitpleLive.Protocol;

namespace GitpleLive.Chat.Internal;

/// <summary>The server's addresses derived from <see cref="ChatClientOptions"/> (PROTOCOL §1).</summary>
internal sealed class Endpoint
{
    public Endpoint(string host, bool? useTls)
    {
        UseTls = useTls ?? ServerAddress.UsesTls(host);
        BaseUri = ServerAddress.BaseUri(host, UseTls);
        WebSocketUri = ServerAddress.WebSocketUri(host, UseTls).ToString();
    }

    public bool UseTls { get; }

    /// <summary><c>http(s)://host/</c>; REST paths are relative to it.</summary>
    public Uri BaseUri { get; }

    /// <summary><c>ws(s)://host/ws</c>, the MQTT endpoint.</summary>
    public string WebSocketUri { get; }

    public Uri HealthUri => new(BaseUri, "health");

    public Uri Sdk(string relativePath) => new(BaseUri, "v1/sdk/" + relativePath.TrimStart('/'));

    /// <summary>Validates options; throws 60101 with the first problem found.</summary>
    public static Endpoint FromOptions(ChatClientOptions options)
    {
        if (options is null) throw Invalid("options are required");
        if (string.IsNullOrWhiteSpace(options.Host)) throw Invalid("host is required");
        if (string.IsNullOrWhiteSpace(options.AppId)) throw Invalid("app id is required");
        var host = options.Host.Trim();
        if (host.Contains("://", StringComparison.Ordinal) || host.TrimEnd('/').Contains('/') || host.Any(char.IsWhiteSpace))
            throw Invalid("host must be given without scheme or path, for example live.example.com or localhost:5080");
        if (!Uri.TryCreate("http://" + host.TrimEnd('/') + "/", UriKind.Absolute, out _)) throw Invalid($"host is not valid: {host}");
        if (options.AppId.Contains('/') || options.AppId.Contains('#') || options.AppId.Contains('+'))
            throw Invalid("app id must not contain '/', '#' or '+'");
        Positive(options.RequestTimeout, nameof(options.RequestTimeout));
        Positive(options.FileUploadTimeout, nameof(options.FileUploadTimeout));
        Positive(options.KeepAlivePeriod, nameof(options.KeepAlivePeriod));
        Positive(options.TokenRefreshCheckInterval, nameof(options.TokenRefreshCheckInterval));
        if (options.TokenRefreshThreshold < TimeSpan.Zero) throw Invalid("TokenRefreshThreshold must not be negative");
        if (options.ReconnectDelay < TimeSpan.Zero) throw Invalid("ReconnectDelay must not be negative");
        if (options.MaxReconnectDelay < options.ReconnectDelay) throw Invalid("MaxReconnectDelay must not be less than ReconnectDelay");
        if (options.TimeProvider is null) throw Invalid("TimeProvider is required");
        if (options.MaxReconnectAttempts < 0) throw Invalid("MaxReconnectAttempts must not be negative");
        return new Endpoint(host, options.UseTls);
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero) throw Invalid($"{name} must be positive");
    }

    private static GitpleLiveException Invalid(string message) => new(GitpleLiveErrorCode.ClientInvalidParameters, message);
}
