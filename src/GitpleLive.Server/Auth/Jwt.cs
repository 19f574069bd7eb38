using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace GitpleLive.Server.Auth;

/// <summary>
/// HS256 JSON Web Tokens with <c>iat</c>/<c>exp</c> in milliseconds, as PROTOCOL §4 asks. Stock JWT
/// libraries read <c>exp</c> as seconds, hence this small, strict implementation.
/// </summary>
public static class Jwt
{
    private static readonly byte[] Header = Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");

    /// <summary>
    /// The claims this server puts in its tokens. An SDK token minted from a session token also carries that session's
    /// issue time and expiry (<c>siat</c>, <c>sexp</c>), which its refreshes inherit (docs/PROTOCOL-CHOICES.md).
    /// </summary>
    public sealed record Claims(string UserId, string AppId, string Kind, long IssuedAt, long ExpiresAt,
        long? SessionIssuedAt = null, long? SessionExpiresAt = null);

    public static string Create(Claims claims, byte[] secret)
    {
        var fields = new Dictionary<string, object>
        {
            ["user_id"] = claims.UserId,
            ["app_id"] = claims.AppId,
            ["typ"] = claims.Kind,
            ["iat"] = claims.IssuedAt,
            ["exp"] = claims.ExpiresAt,
        };
        if (claims.SessionIssuedAt is { } siat && claims.SessionExpiresAt is { } sexp)
        {
            fields["siat"] = siat;
            fields["sexp"] = sexp;
        }
        var payload = JsonSerializer.SerializeToUtf8Bytes(fields);
        var signingInput = Base64Url.EncodeToString(Header) + "." + Base64Url.EncodeToString(payload);
        var signature = HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Reads the claims without checking the signature (to find the app to check against).</summary>
    public static Claims? Peek(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            using var doc = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (!root.TryGetProperty("user_id", out var user) || user.ValueKind != JsonValueKind.String) return null;
            if (!root.TryGetProperty("app_id", out var app) || app.ValueKind != JsonValueKind.String) return null;
            if (!root.TryGetProperty("typ", out var kind) || kind.ValueKind != JsonValueKind.String) return null;
            // TryGetInt64 throws on a non-number, so check the kind first: the payload is unverified input.
            if (!root.TryGetProperty("iat", out var iat) || iat.ValueKind != JsonValueKind.Number
                || !iat.TryGetInt64(out var iatValue)) return null;
            if (!root.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number
                || !exp.TryGetInt64(out var expValue)) return null;
            long? siat = root.TryGetProperty("siat", out var si) && si.ValueKind == JsonValueKind.Number && si.TryGetInt64(out var siv)
                ? siv : null;
            long? sexp = root.TryGetProperty("sexp", out var se) && se.ValueKind == JsonValueKind.Number && se.TryGetInt64(out var sev)
                ? sev : null;
            return new Claims(user.GetString()!, app.GetString()!, kind.GetString()!, iatValue, expValue,
                siat is not null && sexp is not null ? siat : null, siat is not null && sexp is not null ? sexp : null);
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Checks the signature and expiry; null when the token is not valid now.</summary>
    public static Claims? Validate(string token, byte[] secret, string expectedKind, long nowMs) =>
        ValidateSignature(token, secret, expectedKind) is { } claims && claims.ExpiresAt > nowMs ? claims : null;

    /// <summary>Checks the signature and kind only: the caller decides what an expired token may still do.</summary>
    public static Claims? ValidateSignature(string token, byte[] secret, string expectedKind)
    {
        var claims = Peek(token);
        if (claims is null || claims.Kind != expectedKind) return null;
        var dot = token.LastIndexOf('.');
        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(secret, Encoding.ASCII.GetBytes(token.AsSpan(0, dot).ToString()), expected);
        byte[] actual;
        try { actual = Base64Url.DecodeFromChars(token.AsSpan(dot + 1)); }
        catch (FormatException) { return null; }
        return CryptographicOperations.FixedTimeEquals(expected, actual) ? claims : null;
    }
}
