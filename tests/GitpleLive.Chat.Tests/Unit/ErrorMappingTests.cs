using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat.Tests.Unit;

public class ErrorMappingTests
{
    [Fact]
    public void A_protocol_error_body_keeps_code_message_status_and_path()
    {
        var e = RestClient.FromErrorBody(403, "/v1/sdk/group/channels/c1", """{"code":1008,"message":"not joined","status":403,"path":"/v1/sdk/group/channels/c1","timestamp":1}""");
        Assert.Equal(1008, e.Code);
        Assert.Equal("not_joined", e.Name);
        Assert.Equal("not joined", e.Message);
        Assert.Equal(403, e.Status);
        Assert.Equal("/v1/sdk/group/channels/c1", e.Path);
        Assert.False(e.IsClientError);
    }

    [Theory]
    [InlineData("\"1764612345000\"")] // PROTOCOL §7: a digits string
    [InlineData("1764612345000")] // servers before it: a number
    public void The_timestamp_is_read_as_a_string_or_a_number(string timestamp)
    {
        var e = RestClient.FromErrorBody(404, "/v1/sdk/group/channels/c1",
            $$"""{"code":1003,"message":"no channel","status":404,"path":"/v1/sdk/group/channels/c1","timestamp":{{timestamp}}}""");
        Assert.Equal((1003, "no channel", 404), (e.Code, e.Message, e.Status));
    }

    [Fact]
    public void A_name_sent_by_the_server_wins()
    {
        var e = RestClient.FromErrorBody(401, "/x", """{"code":4001,"name":"token_expired","message":"expired","status":401,"path":"/x","timestamp":1}""");
        Assert.Equal(4001, e.Code);
        Assert.Equal("token_expired", e.Name);
    }

    [Theory]
    [InlineData("<html>bad gateway</html>")]
    [InlineData("")]
    [InlineData("{\"error\":\"x\"}")]
    public void Bodies_that_are_not_the_protocols_become_60999_with_the_status(string body)
    {
        var e = RestClient.FromErrorBody(502, "/v1/sdk/users/info/me", body);
        Assert.Equal(60999, e.Code);
        Assert.Equal("unknown_error", e.Name);
        Assert.Equal(502, e.Status);
        Assert.Contains("502", e.Message);
    }

    [Theory]
    [InlineData(1001, "invalid_parameters")]
    [InlineData(1003, "channel_not_found")]
    [InlineData(1019, "banned_user_cannot_join")]
    [InlineData(3001, "no_permission")]
    [InlineData(4001, "unauthorized")]
    [InlineData(9999, "unknown_server_error")]
    [InlineData(60101, "invalid_parameters")]
    [InlineData(60102, "invalid_token")]
    [InlineData(60103, "expired_token")]
    [InlineData(60104, "invalid_channel_id")]
    [InlineData(60901, "server_not_responding")]
    [InlineData(60902, "unable_to_connect")]
    [InlineData(60903, "unable_to_subscribe_event")]
    [InlineData(60904, "not_connected")]
    [InlineData(60999, "unknown_error")]
    [InlineData(12345, "unknown")]
    public void Codes_have_their_protocol_names(int code, string name)
    {
        Assert.Equal(name, GitpleLiveErrorCode.GetName(code));
        Assert.Equal(name, new GitpleLiveException(code, "m").Name);
    }

    [Fact]
    public async Task Calls_while_not_connected_are_60904()
    {
        await using var client = new ChatClient(new ChatClientOptions { Host = "127.0.0.1:9", AppId = "app", UseTls = false });
        async Task Expect(Func<Task> call) => Assert.Equal(60904, (await Assert.ThrowsAsync<GitpleLiveException>(call)).Code);
        await Expect(() => client.User.MeAsync());
        await Expect(() => client.User.UpdateUserAsync(name: "x"));
        await Expect(() => client.GroupChannel.GetChannelAsync("c1"));
        await Expect(() => client.GroupChannel.GetChannelListAsync());
        await Expect(() => client.GroupChannel.SendMessageAsync("c1", "hi"));
        await Expect(() => client.GroupChannel.ReadMessageAsync(["c1", "c2"]));
        await Expect(() => client.Moderation.CreateReportAsync(new CreateReportOptions { ReportType = "user", UserId = "u2" }));
        await Expect(async () => { await foreach (var _ in client.GroupChannel.GetAllChannelsAsync()) { } });
    }

    [Fact]
    public async Task Missing_ids_are_60104_and_missing_values_60101()
    {
        await using var client = new ChatClient(new ChatClientOptions { Host = "127.0.0.1:9", AppId = "app", UseTls = false });
        async Task Expect(int code, Func<Task> call) => Assert.Equal(code, (await Assert.ThrowsAsync<GitpleLiveException>(call)).Code);
        await Expect(60104, () => client.GroupChannel.GetChannelAsync(""));
        await Expect(60104, () => client.GroupChannel.SendMessageAsync(" ", "hi"));
        await Expect(60104, () => client.GroupChannel.ReadMessageAsync(Array.Empty<string>()));
        await Expect(60104, () => client.GroupChannel.CreateChannelAsync(new CreateGroupChannelOptions { ChannelId = "", Name = "x" }));
        await Expect(60101, () => client.GroupChannel.DeleteMessageAsync("c1", 0));
        await Expect(60101, () => client.GroupChannel.BanAsync("c1", "u2", 0));
        await Expect(60101, () => client.User.UpdateUserAsync());
        Assert.Equal(60101, Assert.Throws<GitpleLiveException>(() => FileUpload.FromFile("/nonexistent/file.png")).Code);
        Assert.Equal(60101, Assert.Throws<GitpleLiveException>(() => FileUpload.FromStream(Stream.Null, "")).Code);
    }
}
