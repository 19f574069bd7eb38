using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat.Tests.Unit;

public class SessionTokenTests
{
    private static readonly long Now = 1_700_000_000_000;

    [Fact]
    public void A_valid_token_passes_and_exp_is_read_in_milliseconds()
    {
        var token = TestTokens.Jwt($"{{\"user_id\":\"alice\",\"iat\":{Now},\"exp\":{Now + 60_000}}}");
        Assert.Equal(Now + 60_000, SessionToken.Validate(token, "alice", Now));
    }

    [Fact]
    public void Another_users_token_is_60102()
    {
        var token = TestTokens.Jwt($"{{\"user_id\":\"bob\",\"iat\":{Now},\"exp\":{Now + 3_600_000}}}");
        var e = Assert.Throws<GitpleLiveException>(() => SessionToken.Validate(token, "alice", Now));
        Assert.Equal(60102, e.Code);
        Assert.Equal("invalid_token", e.Name);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    [InlineData(9_999)]
    [InlineData(10_000)]
    public void A_token_expiring_within_10_seconds_is_60103(long msLeft)
    {
        var token = TestTokens.Jwt($"{{\"user_id\":\"alice\",\"iat\":{Now - 1000},\"exp\":{Now + msLeft}}}");
        var e = Assert.Throws<GitpleLiveException>(() => SessionToken.Validate(token, "alice", Now));
        Assert.Equal(60103, e.Code);
        Assert.Equal("expired_token", e.Name);
    }

    [Fact]
    public void Exp_in_seconds_reads_as_long_expired()
    {
        // A token with exp in seconds (the JWT habit) would be from 1970 in ms: refused, never accepted forever.
        var token = TestTokens.Jwt($"{{\"user_id\":\"alice\",\"iat\":{Now / 1000},\"exp\":{Now / 1000 + 3600}}}");
        Assert.Equal(60103, Assert.Throws<GitpleLiveException>(() => SessionToken.Validate(token, "alice", Now)).Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("a.b")]
    [InlineData("a.!!!.c")]
    [InlineData("a..c")]
    public void Malformed_tokens_are_60102(string token)
    {
        Assert.Equal(60102, Assert.Throws<GitpleLiveException>(() => SessionToken.Validate(token, "alice", Now)).Code);
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{\"exp\":1}")]
    [InlineData("{\"user_id\":\"alice\"}")]
    [InlineData("{\"user_id\":5,\"exp\":1}")]
    [InlineData("{\"user_id\":\"alice\",\"exp\":\"soon\"}")]
    [InlineData("not json")]
    public void Payloads_without_user_id_or_exp_are_60102(string payload)
    {
        Assert.Equal(60102, Assert.Throws<GitpleLiveException>(() => SessionToken.Validate(TestTokens.Jwt(payload), "alice", Now)).Code);
    }

    [Fact]
    public async Task ConnectUserAsync_checks_the_token_before_any_network_call()
    {
        // Port 9 on loopback: nothing listens; reaching the network would be 60902, not the codes asserted here.
        await using var client = new ChatClient(new ChatClientOptions { Host = "127.0.0.1:9", AppId = "app", UseTls = false });
        var mismatch = await Assert.ThrowsAsync<GitpleLiveException>(() => client.ConnectUserAsync("alice", TestTokens.Session("bob", TimeSpan.FromHours(1))));
        Assert.Equal(60102, mismatch.Code);
        var expired = await Assert.ThrowsAsync<GitpleLiveException>(() => client.ConnectUserAsync("alice", TestTokens.Session("alice", TimeSpan.FromSeconds(5))));
        Assert.Equal(60103, expired.Code);
        var noUser = await Assert.ThrowsAsync<GitpleLiveException>(() => client.ConnectUserAsync("", TestTokens.Session("alice", TimeSpan.FromHours(1))));
        Assert.Equal(60101, noUser.Code);
        var wildcard = await Assert.ThrowsAsync<GitpleLiveException>(() => client.ConnectUserAsync("a/#", null));
        Assert.Equal(60101, wildcard.Code);
        Assert.Equal(ConnectionState.Disconnected, client.Connection.State);
    }
}
