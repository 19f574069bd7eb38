using GitpleLive.Platform;

namespace GitpleLive.Platform.Tests;

/// <summary>The CLI's message extension commands: reply (with mentions), edit, react, replies.</summary>
[Collection(ConsoleCollection.Name)]
public class CliMessageTests : ServerTest
{
    private Task<int> RunAsync(params string[] args) =>
        Cli.Cli.Build().Parse([.. args, "--host", Server.Host, "--app-id", Server.AppId, "--api-key", Server.ApiKey]).InvokeAsync();

    [Fact]
    public async Task Reply_edit_react_and_replies_go_through_the_platform_api()
    {
        foreach (var id in new[] { "cm-a", "cm-b" }) await Client.CreateUserAsync(id, id);
        await Client.CreateChannelAsync(new ChannelCreateOptions { ChannelId = "cm-room", Name = "Room", Members = ["cm-a", "cm-b"] });
        var parent = await Client.SendMessageAsync("cm-room", "cm-a", "top");
        var mid = parent.MessageId.ToString();

        Assert.Equal(0, await RunAsync("messages", "reply", "cm-room", mid, "a reply", "--as", "cm-b", "--mention", "cm-a"));
        var reply = Assert.Single(await Client.GetRepliesAsync("cm-room", parent.MessageId));
        Assert.Equal(("a reply", "cm-a"), (reply.Content, Assert.Single(reply.MentionedUserIds!)));
        Assert.Equal(0, await RunAsync("messages", "replies", "cm-room", mid));

        Assert.Equal(0, await RunAsync("messages", "edit", "cm-room", reply.MessageId.ToString(), "an edited reply"));
        Assert.Equal("an edited reply", Assert.Single(await Client.GetRepliesAsync("cm-room", parent.MessageId)).Content);

        Assert.Equal(0, await RunAsync("messages", "react", "cm-room", mid, "👍", "--as", "cm-b"));
        Assert.Equal(1, (await Client.GetMessagesAsync("cm-room"))[0].Reactions![0].Count);
        Assert.Equal(0, await RunAsync("messages", "react", "cm-room", mid, "👍", "--as", "cm-b", "--remove"));
        Assert.Null((await Client.GetMessagesAsync("cm-room"))[0].Reactions);

        // Refusals exit 1 with the server's code printed: a reply to a reply, a reaction by a stranger.
        Assert.Equal(1, await RunAsync("messages", "reply", "cm-room", reply.MessageId.ToString(), "nested", "--as", "cm-a"));
        Assert.Equal(1, await RunAsync("messages", "react", "cm-room", mid, "x", "--as", "nobody"));
    }
}
