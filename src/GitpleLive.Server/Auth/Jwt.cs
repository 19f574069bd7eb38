using System.Buffers;
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
        // Spans and a reader over the decoded payload, not split strings and a JsonDocument: every SDK call checks a
        // token, and this was a tenth of the send path's allocations (bench/RESULTS.md).
        var first = token.IndexOf('.');
        var last = token.LastIndexOf('.');
        if (first < 0 || last == first) return null;
        var chars = token.AsSpan(first + 1, last - first - 1);
        if (chars.Contains('.')) return null;
        var max = Base64Url.GetMaxDecodedLength(chars.Length);
        byte[]? rented = null;
        Span<byte> bytes = max <= 1024 ? stackalloc byte[max] : (rented = ArrayPool<byte>.Shared.Rent(max));
        try
        {
            if (Base64Url.DecodeFromChars(chars, bytes, out _, out var written) != OperationStatus.Done) return null;
            return Read(bytes[..written]);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The claims of a decoded payload: a JSON object with every required claim of its type, else null.</summary>
    private static Claims? Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        string? user = null, app = null, kind = null;
        long? iat = null, exp = null, siat = null, sexp = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueTextEquals("user_id"u8) ? 1 : reader.ValueTextEquals("app_id"u8) ? 2
                : reader.ValueTextEquals("typ"u8) ? 3 : reader.ValueTextEquals("iat"u8) ? 4 : reader.ValueTextEquals("exp"u8) ? 5
                : reader.ValueTextEquals("siat"u8) ? 6 : reader.ValueTextEquals("sexp"u8) ? 7 : 0;
            if (!reader.Read()) return null;
            if (name is >= 1 and <= 3)
            {
                if (reader.TokenType != JsonTokenType.String) return null;
                var text = reader.GetString();
                if (name == 1) user = text;
                else if (name == 2) app = text;
                else kind = text;
            }
            else if (name is 4 or 5)
            {
                // The payload is unverified input: a claim of the wrong kind refuses the token.
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value)) return null;
                if (name == 4) iat = value;
                else exp = value;
            }
            else if (name is 6 or 7)
            {
                long? value = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var v) ? v : null;
                if (name == 6) siat = value;
                else sexp = value;
                reader.Skip();
            }
            else
            {
                reader.Skip();
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject || reader.Read()) return null;
        if (user is null || app is null || kind is null || iat is null || exp is null) return null;
        var session = siat is not null && sexp is not null;
        return new Claims(user, app, kind, iat.Value, exp.Value, session ? siat : null, session ? sexp : null);
    }

    /// <summary>Checks the signature and expiry; null when the token is not valid now.</summary>
    public static Claims? Validate(string token, byte[] secret, string expectedKind, long nowMs) =>
        ValidateSignature(token, secret, expectedKind) is { } claims && claims.ExpiresAt > nowMs ? claims : null;

    /// <summary>Checks the signature and kind only: the caller decides what an expired token may still do.</summary>
    public static Claims? ValidateSignature(string token, byte[] secret, string expectedKind)
    {
        var dot = token.LastIndexOf('.');
        if (dot < 0) return null;
        var signed = token.AsSpan(0, dot);
        byte[]? rented = null;
        Span<byte> input = signed.Length <= 2048 ? stackalloc byte[signed.Length] : (rented = ArrayPool<byte>.Shared.Rent(signed.Length));
        Span<byte> expected = stackalloc byte[32];
        try
        {
            var n = Encoding.ASCII.GetBytes(signed, input);
            HMACSHA256.HashData(secret, input[..n], expected);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
        var signature = token.AsSpan(dot + 1);
        Span<byte> actual = stackalloc byte[64];
        if (Base64Url.GetMaxDecodedLength(signature.Length) > actual.Length
            || Base64Url.DecodeFromChars(signature, actual, out _, out var written) != OperationStatus.Done
            || !CryptographicOperations.FixedTimeEquals(expected, actual[..written])) return null;
        return Peek(token) is { } claims && claims.Kind == expectedKind ? claims : null;
    }
}
