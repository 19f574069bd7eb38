using System.Buffers.Text;
using System.Text;

namespace GitpleLive.Chat.Tests.Unit;

/// <summary>Session-token look-alikes: the SDK only reads the payload, so the signature is a dummy.</summary>
internal static class TestTokens
{
    public static string Jwt(string payloadJson) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")) + "." +
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payloadJson)) + ".c2lnbmF0dXJl";

    public static string Session(string userId, TimeSpan validFor)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return Jwt($"{{\"user_id\":\"{userId}\",\"iat\":{now},\"exp\":{now + (long)validFor.TotalMilliseconds}}}");
    }
}
