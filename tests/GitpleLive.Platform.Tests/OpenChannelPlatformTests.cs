using GitpleLive.Chat;
using GitpleLive.TestHost;

namespace GitpleLive.Platform.Tests;

/// <summary>PlatformClient's open channel calls and <c>gitplelive open …</c> against a real server.</summary>
[Collection(ConsoleCollection.Name)]
public class OpenChannelPlatformTests : ServerTest
{
    private Task<int> RunAsync(params string[] args) =>
        Cli.Cli.Build().Parse([.. args, "--host", Server.Host, "--app-id", Server.AppId, "--api-key", Server.ApiKey]).InvokeAsync();

    [Fact]
    public async Task The_client_and_the_cli_drive_open_channels()
    {
        await Client.CreateUserAsync("op-a", "A");
        await Client.CreateUserAsync("op-b", "B");
        var created = await Client.CreateOpenChannelAsync("stage", "Stage", managers: ["op-a"]);
        Assert.Equal(("open", 0L), (created.Type, created.ParticipantCount));
        var dup = await Assert.ThrowsAsync<GitpleLiveException>(() => Client.CreateOpenChannelAsync("stage", "again"));
        Assert.Equal(1007, dup.Code);

        // Entering needs a realtime connection: the SDK user connects, then the backend enters them.
        await using var b = new ChatClient(new ChatClientOptions { Host = Server.Host, AppId = Server.AppId });
        await b.ConnectUserAsync("op-b", (await Client.IssueSessionTokenAsync("op-b")).Token);
        Assert.Equal(1, (await Client.EnterOpenChannelAsync("stage", "op-b")).ParticipantCount);
        Assert.Equal(["op-b"], await Client.GetParticipantsAsync("stage").Select(u => u.UserId).ToListAsync());

        var sent = await Client.SendOpenMessageAsync("stage", "op-a", "from the backend");
        Assert.Equal("from the backend", Assert.Single(await Client.GetOpenMessagesAsync("stage")).Content);
        await Client.DeleteOpenMessageAsync("stage", sent.MessageId);
        Assert.Empty(await Client.GetOpenMessagesAsync("stage"));
        Assert.True((await Client.FreezeOpenChannelAsync("stage", true)).Freeze);
        Assert.Equal("Live", (await Client.UpdateOpenChannelAsync("stage", name: "Live")).Name);
        await Client.AddOpenManagerAsync("stage", "op-b");
        await Client.RemoveOpenManagerAsync("stage", "op-b");
        var notManager = await Assert.ThrowsAsync<GitpleLiveException>(() => Client.RemoveOpenManagerAsync("stage", "op-b"));
        Assert.Equal(1016, notManager.Code);

        // The CLI: list, participants, send, ban (which takes the participant out), unban, delete.
        Assert.Equal(0, await RunAsync("open", "list"));
        Assert.Equal(0, await RunAsync("open", "participants", "stage"));
        Assert.Equal(0, await RunAsync("open", "unfreeze", "stage"));
        Assert.Equal(0, await RunAsync("open", "send", "stage", "hi from the cli", "--as", "op-a"));
        Assert.Equal("hi from the cli", Assert.Single(await Client.GetOpenMessagesAsync("stage")).Content);
        Assert.Equal(0, await RunAsync("open", "ban", "stage", "op-b", "--minutes", "5"));
        Assert.Empty(await Client.GetParticipantsAsync("stage").ToListAsync());
        var banned = await Assert.ThrowsAsync<GitpleLiveException>(() => Client.EnterOpenChannelAsync("stage", "op-b"));
        Assert.Equal(1019, banned.Code);
        Assert.Equal(0, await RunAsync("open", "unban", "stage", "op-b"));
        Assert.Equal(1, (await Client.EnterOpenChannelAsync("stage", "op-b")).ParticipantCount);
        await Client.ExitOpenChannelAsync("stage", "op-b");
        Assert.Equal(1, await RunAsync("open", "create", "stage"));
        Assert.Equal(0, await RunAsync("open", "create", "second", "--manager", "op-a"));
        Assert.Equal(["second", "stage"], await Client.GetOpenChannelsAsync().Select(c => c.ChannelId).ToListAsync());
        Assert.Equal(0, await RunAsync("open", "delete", "stage"));
        var gone = await Assert.ThrowsAsync<GitpleLiveException>(() => Client.GetOpenChannelAsync("stage"));
        Assert.Equal(1003, gone.Code);
    }
}
