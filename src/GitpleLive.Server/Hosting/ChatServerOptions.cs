namespace GitpleLive.Server.Hosting;

/// <summary>Server settings, bound from the <c>GitpleLive</c> configuration section.</summary>
public sealed class ChatServerOptions
{
    public const string Section = "GitpleLive";

    /// <summary>Folder for the SQLite file and uploaded files. Default <c>data</c> under the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string StorageProvider { get; set; } = "sqlite";

    /// <summary>Connection string; default for SQLite: <c>{DataDirectory}/gitplelive.db</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// Redis configuration string (e.g. <c>localhost:6379</c>). When set, events and presence travel
    /// through Redis so several server nodes serve one app; when empty (default), they stay in-process.
    /// </summary>
    public string? Redis { get; set; }

    /// <summary>Folder for uploaded files. Default <c>{DataDirectory}/files</c>.</summary>
    public string? FilesDirectory { get; set; }

    /// <summary>
    /// Absolute base URL used in file links (e.g. <c>https://live.example.com</c>). Default: the server's first bound
    /// address. Links are never built from a request's <c>Host</c> or forwarded headers; behind a proxy, set this.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// The secret that signs file links (at least 16 characters). Every node of a cluster must share it, so a link signed
    /// on one node opens on another. Default: a random key kept in <c>{DataDirectory}/file-link.key</c> (one node).
    /// </summary>
    public string? FileUrlKey { get; set; }

    /// <summary>
    /// Proxies (IP addresses) whose <c>X-Forwarded-For</c>/<c>X-Forwarded-Proto</c> are believed. Loopback always is.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, e.g. <c>10.0.0.0/8</c>) whose forwarded headers are believed, like <see cref="KnownProxies"/>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>Id of the app created on first start. Env <c>GITPLELIVE_APP_ID</c>.</summary>
    public string? DefaultAppId { get; set; }

    /// <summary>API key of the app created on first start. Env <c>GITPLELIVE_API_KEY</c>.</summary>
    public string? DefaultApiKey { get; set; }

    /// <summary>Whether the default app allows tokenless users (PROTOCOL §4). Default false.</summary>
    public bool DefaultAppAllowTokenless { get; set; }

    /// <summary>Lifetime of SDK tokens. Default 24 hours.</summary>
    public TimeSpan SdkTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How long past its <c>exp</c> an SDK token minted from a session token still lets its phone back in on MQTT
    /// CONNECT and <c>POST /v1/sdk/users/token</c> (a phone that slept through its refreshes), and never past that
    /// session token's own expiry, a revocation or the user's deletion. Default 7 days; 0 turns it off.
    /// </summary>
    public TimeSpan SdkTokenGrace { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Lifetime of signed file links. Default 24 hours.</summary>
    public TimeSpan FileUrlLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Largest JSON body accepted, in bytes. Default 1 MiB.</summary>
    public long MaxJsonBodySize { get; set; } = 1024 * 1024;

    /// <summary>Largest multipart upload accepted by the web server before app limits apply. Default 200 MiB.</summary>
    public long MaxUploadSize { get; set; } = 200L * 1024 * 1024;

    /// <summary>
    /// SQLite: how often new messages are added to the full-text index, in one write for all of them (a search first
    /// brings the index up to date, so it never misses a stored message). Default 50 ms.
    /// </summary>
    public TimeSpan SearchIndexInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Enables the Platform API's <c>/v1/diagnostics</c> routes (a server-side event generator for
    /// measuring fan-out). For benchmarks only. Default false.
    /// </summary>
    public bool EnableDiagnostics { get; set; }

    internal string ResolvedFilesDirectory => FilesDirectory ?? Path.Combine(DataDirectory, "files");

    /// <summary>Whether <see cref="StorageProvider"/> names PostgreSQL (else SQLite; the validator refuses anything else).</summary>
    internal bool UsesPostgres => StorageProvider.ToLowerInvariant() is "postgres" or "postgresql";

    /// <summary>Whether events and presence travel through Redis (<see cref="Redis"/> is set).</summary>
    internal bool UsesRedis => !string.IsNullOrEmpty(Redis);
}
