namespace GitpleLive.Server.OperatorConsole;

/// <summary>The operator console at <c>/console</c> (section <c>GitpleLive:Console</c>).</summary>
public sealed class ConsoleOptions
{
    public const string Section = "GitpleLive:Console";

    /// <summary>Serve the console at all. Default true (signing in still needs an app key or the admin key).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// The server-wide admin key: signing in with it sees every app. Empty (default): admin sign-in is off.
    /// At least 16 characters when set; keep it out of files others can read (an environment variable).
    /// </summary>
    public string? AdminKey { get; set; }

    /// <summary>How long a session lasts from sign-in. Default 12 hours.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>Sign-in attempts allowed per client address and app (or admin) in <see cref="SignInWindow"/>. Default 10.</summary>
    public int SignInAttempts { get; set; } = 10;

    /// <summary>The window of <see cref="SignInAttempts"/>. Default one minute.</summary>
    public TimeSpan SignInWindow { get; set; } = TimeSpan.FromMinutes(1);
}
