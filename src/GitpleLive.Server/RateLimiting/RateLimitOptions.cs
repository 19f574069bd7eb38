namespace GitpleLive.Server.RateLimiting;

/// <summary>
/// Request limits per user and per app, bound from <c>GitpleLive:RateLimits</c>: how many calls of each kind fit in
/// one <see cref="Window"/>. An app overrides any of them through <c>PUT /v1/app</c> (<c>rate_limits</c>).
/// A call over a limit answers 429 with code 9001 and <c>Retry-After</c>. With Redis the counts are the cluster's.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "GitpleLive:RateLimits";

    /// <summary>Whether limits apply at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The fixed window the limits count in. Default 10 seconds.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Message sends per user per window. Default 200 (20 a second, sustained, is beyond any person).</summary>
    public int SendsPerUser { get; set; } = 200;
    /// <summary>Message sends per app per window (SDK and Platform API together). Default 10,000.</summary>
    public int SendsPerApp { get; set; } = 10_000;
    /// <summary>Other writes (POST, PUT, DELETE) per user per window. Default 200.</summary>
    public int WritesPerUser { get; set; } = 200;
    /// <summary>Other writes per app per window. Default 20,000.</summary>
    public int WritesPerApp { get; set; } = 20_000;
    /// <summary>Reads (GET) per user per window. Default 500.</summary>
    public int ReadsPerUser { get; set; } = 500;
    /// <summary>Reads per app per window. Default 50,000.</summary>
    public int ReadsPerApp { get; set; } = 50_000;
    /// <summary>Token exchanges and issues per user per window. Default 30.</summary>
    public int TokensPerUser { get; set; } = 30;
    /// <summary>Token exchanges and issues per app per window. Default 3,000.</summary>
    public int TokensPerApp { get; set; } = 3_000;

    /// <summary>The server default for one override name (<c>sends_per_user</c>, …).</summary>
    internal int Default(string name) => name switch
    {
        "sends_per_user" => SendsPerUser,
        "sends_per_app" => SendsPerApp,
        "writes_per_user" => WritesPerUser,
        "writes_per_app" => WritesPerApp,
        "reads_per_user" => ReadsPerUser,
        "reads_per_app" => ReadsPerApp,
        "tokens_per_user" => TokensPerUser,
        "tokens_per_app" => TokensPerApp,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such rate limit"),
    };

    /// <summary>The names an app may override, as <c>PUT /v1/app</c> takes them in <c>rate_limits</c>.</summary>
    public static readonly string[] Names =
        ["sends_per_user", "sends_per_app", "writes_per_user", "writes_per_app", "reads_per_user", "reads_per_app", "tokens_per_user",
         "tokens_per_app"];
}

/// <summary>What a call counts as.</summary>
public enum RateLimitKind
{
    Send,
    Write,
    Read,
    Token,
}
