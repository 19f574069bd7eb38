using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using GitpleLive.Server.Auth;

namespace GitpleLive.Server.Tests;

/// <summary>The token reader: what it accepts and what it refuses, signed payloads of every shape included.</summary>
public sealed class JwtTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("a-test-secret-of-enough-length-for-hs256");

    private static string Signed(string payloadJson, byte[]? secret = null)
    {
        var input = Base64Url.EncodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8) + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payloadJson));
        return input + "." + Base64Url.EncodeToString(HMACSHA256.HashData(secret ?? Secret, Encoding.ASCII.GetBytes(input)));
    }

    [Fact]
    public void A_created_token_reads_back_with_its_claims_and_session()
    {
        var token = Jwt.Create(new Jwt.Claims("alice", "app", "sdk", 10, 20, 5, 50), Secret);
        Assert.Equal(new Jwt.Claims("alice", "app", "sdk", 10, 20, 5, 50), Jwt.ValidateSignature(token, Secret, "sdk"));
        Assert.Null(Jwt.ValidateSignature(token, Secret, "session"));
        Assert.Null(Jwt.ValidateSignature(token, Encoding.UTF8.GetBytes("another-secret-another-secret-another"), "sdk"));
        Assert.Null(Jwt.Validate(token, Secret, "sdk", nowMs: 20));
        Assert.NotNull(Jwt.Validate(token, Secret, "sdk", nowMs: 19));
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("{\"app_id\":\"app\",\"typ\":\"sdk\",\"iat\":1,\"exp\":2}")]
    [InlineData("{\"user_id\":5,\"app_id\":\"app\",\"typ\":\"sdk\",\"iat\":1,\"exp\":2}")]
    [InlineData("{\"user_id\":\"u\",\"app_id\":\"app\",\"typ\":\"sdk\",\"iat\":\"1\",\"exp\":2}")]
    [InlineData("{\"user_id\":\"u\",\"app_id\":\"app\",\"typ\":\"sdk\",\"iat\":1.5,\"exp\":2}")]
    [InlineData("{\"user_id\":\"u\",\"app_id\":\"app\",\"typ\":\"sdk\",\"iat\":1,\"exp\":2} {}")]
    [InlineData("{\"user_id\":\"u\",\"app_id\":\"app\",\"typ\":\"sdk\",\"iat\":1,\"exp\":2")]
    [InlineData("not json")]
    public void A_signed_payload_that_is_not_a_whole_claims_object_is_refused(string payload)
    {
        Assert.Null(Jwt.Peek(Signed(payload)));
        Assert.Null(Jwt.ValidateSignature(Signed(payload), Secret, "sdk"));
    }

    [Fact]
    public void Unknown_claims_are_skipped_and_a_session_needs_both_of_its_claims()
    {
        var claims = Jwt.ValidateSignature(Signed(
            "{\"x\":{\"deep\":[1,{\"a\":2}]},\"user_id\":\"u\",\"app_id\":\"app\",\"typ\":\"sdk\",\"iat\":1,\"exp\":2,\"siat\":3}"), Secret, "sdk");
        Assert.Equal(new Jwt.Claims("u", "app", "sdk", 1, 2), claims);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.b.c.d")]
    [InlineData("!!.@@.##")]
    public void Malformed_tokens_are_refused(string token)
    {
        Assert.Null(Jwt.Peek(token));
        Assert.Null(Jwt.ValidateSignature(token, Secret, "sdk"));
    }

    [Fact]
    public void A_changed_payload_or_signature_is_refused()
    {
        var token = Jwt.Create(new Jwt.Claims("alice", "app", "sdk", 10, 20), Secret);
        var parts = token.Split('.');
        var other = Jwt.Create(new Jwt.Claims("mallory", "app", "sdk", 10, 20), Secret).Split('.');
        Assert.Null(Jwt.ValidateSignature($"{parts[0]}.{other[1]}.{parts[2]}", Secret, "sdk"));
        Assert.Null(Jwt.ValidateSignature($"{parts[0]}.{parts[1]}.{parts[2][..^2]}", Secret, "sdk"));
        Assert.Null(Jwt.ValidateSignature($"{parts[0]}.{parts[1]}.{parts[2]}{parts[2]}{parts[2]}", Secret, "sdk"));
    }
}
