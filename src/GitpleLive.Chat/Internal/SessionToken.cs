using System.Buffers.Text;
using System.Text.Json;

namespace GitpleLive.Chat.Internal;

/// <summary>The client-side check of a session token's payload (PROTOCOL §4). The signature is the server's business.</summary>
internal static class SessionToken
{
    /// <summary>Tokens expiring within this margin are refused (60103).</summary>
    public static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(10);

    /// <summary>Throws 60102 when the token is malformed or names another user, 60103 when it expires within 10 s.</summary>
    /// <returns>The token's <c>exp</c>, Unix milliseconds.</returns>
    public static long Validate(string token, string userId, long nowMs)
    {
        var (tokenUser, exp) = ReadPayload(token);
        if (!string.Equals(tokenUser, userId, StringComparison.Ordinal))
            throw new GitpleLiveException(GitpleLiveErrorCode.InvalidToken, "the session token belongs to another user");
        if (exp - nowMs <= (long)ExpiryMargin.TotalMilliseconds)
            throw new GitpleLiveException(GitpleLiveErrorCode.ExpiredToken, "the session token has expired; generate a new one");
        return exp;
    }

    /// <summary>Reads <c>user_id</c> and <c>exp</c> (ms) from the payload; 60102 when that fails.</summary>
    public static (string UserId, long ExpiresAt) ReadPayload(string token)
    {
        var parts = token?.Split('.') ?? [];
        if (parts.Length != 3 || parts[1].Length == 0) throw Invalid("the session token is not a JWT");
        try
        {
            using var doc = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Invalid("the session token payload is not an object");
            if (!root.TryGetProperty("user_id", out var user) || user.ValueKind != JsonValueKind.String)
                throw Invalid("the session token has no user_id");
            if (!root.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number)
                throw Invalid("the session token has no exp");
            // exp is in milliseconds; a fractional value is tolerated.
            var expMs = exp.TryGetInt64(out var whole) ? whole : (long)exp.GetDouble();
            return (user.GetString()!, expMs);
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            throw new GitpleLiveException(GitpleLiveErrorCode.InvalidToken, "the session token payload cannot be read", e);
        }
    }

    private static GitpleLiveException Invalid(string message) => new(GitpleLiveErrorCode.InvalidToken, message);
}
