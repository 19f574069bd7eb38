using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GitpleLive.Server.Webhooks;

/// <summary>
/// How the server signs what it POSTs to an app's URL — webhooks and the webhook push provider alike (PROTOCOL §10):
/// <c>X-GitpleLive-Timestamp</c> (Unix milliseconds) and <c>X-GitpleLive-Signature: sha256=&lt;hex HMAC-SHA256 of
/// "{timestamp}.{body}" with the secret&gt;</c>.
/// </summary>
public static class WebhookSignature
{
    public const string TimestampHeader = "X-GitpleLive-Timestamp";
    public const string SignatureHeader = "X-GitpleLive-Signature";

    /// <summary>The signature header's value for <paramref name="body"/> sent at <paramref name="timestamp"/>.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>Whether <paramref name="signature"/> is the header value for the body, compared in constant time.</summary>
    public static bool Verify(string secret, long timestamp, ReadOnlySpan<byte> body, string? signature) =>
        signature is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Sign(secret, timestamp, body)), Encoding.ASCII.GetBytes(signature));
}
