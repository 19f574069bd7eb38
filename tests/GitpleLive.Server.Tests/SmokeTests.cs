using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

public class SmokeTests
{
    [Fact]
    public async Task User_creates_channel_and_sends_message_over_http()
    {
        await using var server = await TestServer.StartAsync();
        using var alice = await server.SdkUserAsync("alice");
        using var bob = await server.SdkUserAsync("bob");
        var channel = await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "c1", name = "Room", members = new[] { "bob" } });
        Assert.Equal("c1", channel!["channel_id"]!.GetValue<string>());
        var message = await bob.Http.PostJsonAsync("/v1/sdk/group/channels/c1/messages", new { type = "text", content = "hi" });
        Assert.Equal("hi", message!["content"]!.GetValue<string>());
        Assert.Equal("bob", message["user"]!["user_id"]!.GetValue<string>());
        var list = await alice.Http.GetJsonAsync("/v1/sdk/group/channels/joined/list?show_unread=true&show_last_message=true&show_members=true");
        var c = list!["channels"]!.AsArray().Single()!;
        Assert.Equal(1, c["unread"]!["alice"]!.GetValue<int>());
        Assert.Equal(0, c["unread"]!["bob"]!.GetValue<int>());
        Assert.Equal("hi", c["last_message"]!["content"]!.GetValue<string>());
        Assert.Equal(2, c["members"]!.AsArray().Count);
        Assert.Contains(server.Events.All, e => e.Category == "group:message_send" && e.TargetId == "c1");
    }
}
