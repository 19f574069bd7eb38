namespace GitpleLive.Server.Storage;

/// <summary>
/// A signed-in operator console session. The cookie carries a random id; only its SHA-256 is stored, so a copy of
/// the table signs nobody in. Kept in the store so every node knows it and signing out ends it everywhere.
/// </summary>
public sealed class ConsoleSessionRow
{
    /// <summary>Hex SHA-256 of the session id in the cookie.</summary>
    public required string SessionHash { get; set; }
    /// <summary>The app signed in with its API key; null for an admin session (every app).</summary>
    public string? AppId { get; set; }
    /// <summary>
    /// Hex SHA-256 of the API key the session signed in with: when the app's key is rotated it no longer matches, and
    /// the session has ended. Null for an admin session.
    /// </summary>
    public string? KeyHash { get; set; }
    /// <summary>The token every state-changing request must echo in <c>X-CSRF-Token</c>.</summary>
    public required string CsrfToken { get; set; }
    public long CreatedAt { get; set; }
    public long ExpiresAt { get; set; }
}

/// <summary>What a moderator did about a report, with who did it and when.</summary>
public sealed class ModerationActionRow
{
    public required string ActionId { get; set; }
    public required string AppId { get; set; }
    public required string ReportId { get; set; }
    /// <summary><c>delete_message</c>, <c>ban_user</c>, <c>freeze_channel</c> or <c>dismiss</c>.</summary>
    public required string Action { get; set; }
    /// <summary>The ban's length in seconds for <c>ban_user</c> (null: permanent).</summary>
    public long? Seconds { get; set; }
    /// <summary>Who acted: <c>admin</c> (console admin key), <c>console</c> (console, app key) or <c>api</c> (APP_API_KEY).</summary>
    public required string Actor { get; set; }
    public long CreatedAt { get; set; }
}
