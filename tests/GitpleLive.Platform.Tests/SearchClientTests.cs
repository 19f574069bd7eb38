using GitpleLive.Chat;

namespace GitpleLive.Platform.Tests;

/// <summary>PlatformClient's message search and the CLI's <c>messages search</c> against a real server.</summary>
[Collection(ConsoleCollection.Name)]
public class SearchClientTests : ServerTest
{
    private async Task SeedAsync()
    {
        foreach (var u in new[] { "s-a", "s-b", "s-c" }) await Client.CreateUserAsync(u, u.ToUpperInvariant());
        await Client.CreateChannelAsync(new ChannelCreateOptions { ChannelId = "s-room", Name = "Room", Members = ["s-a", "s-b"] });
        await Client.CreateChannelAsync(new ChannelCreateOptions { ChannelId = "s-side", Name = "Side", Members = ["s-c"] });
        for (var i = 0; i < 5; i++) await Client.SendMessageAsync("s-room", "s-a", $"release notes part {i}");
        await Client.SendMessageAsync("s-side", "s-c", "release party tonight");
        await Client.SendMessageAsync("s-room", "s-b", "unrelated chatter");
    }

    [Fact]
    public async Task Search_pages_newest_first_as_a_user_or_across_the_app()
    {
        await SeedAsync();
        var page = await Client.SearchMessagesAsync("RELEASE", limit: 4);
        Assert.Equal(4, page.Messages.Count);
        Assert.Equal("release party tonight", page.Messages[0].Content);
        Assert.Equal("s-side", page.Messages[0].ChannelId);
        Assert.NotNull(page.Next);
        var rest = await Client.SearchMessagesAsync("RELEASE", limit: 4, next: page.Next);
        Assert.Equal(2, rest.Messages.Count);
        Assert.Null(rest.Next);

        var all = new List<PlatformMessage>();
        await foreach (var m in Client.SearchAllMessagesAsync("release", pageSize: 2)) all.Add(m);
        Assert.Equal(6, all.Count);
        Assert.Equal(all.OrderByDescending(m => m.MessageId).Select(m => m.MessageId), all.Select(m => m.MessageId));

        var asB = new List<PlatformMessage>();
        await foreach (var m in Client.SearchAllMessagesAsync("release notes", userId: "s-b")) asB.Add(m);
        Assert.Equal(5, asB.Count);
        Assert.All(asB, m => Assert.Equal("s-room", m.ChannelId));
        Assert.Single((await Client.SearchMessagesAsync("release", channelId: "s-side")).Messages);

        Assert.Equal(1008, (await Assert.ThrowsAsync<GitpleLiveException>(() =>
            Client.SearchMessagesAsync("release", userId: "s-c", channelId: "s-room"))).Code);
        Assert.Equal(1001, (await Assert.ThrowsAsync<GitpleLiveException>(() => Client.SearchMessagesAsync(new string('x', 300)))).Code);
        await Assert.ThrowsAsync<ArgumentException>(() => Client.SearchMessagesAsync(" "));
    }

    [Fact]
    public async Task Cli_messages_search_prints_the_matches()
    {
        await SeedAsync();
        var output = new StringWriter();
        Spectre.Console.AnsiConsole.Console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(output),
            Ansi = Spectre.Console.AnsiSupport.No,
            ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
        });
        Spectre.Console.AnsiConsole.Console.Profile.Width = 200;
        try
        {
            Task<int> Run(params string[] args) =>
                Cli.Cli.Build().Parse([.. args, "--host", Server.Host, "--app-id", Server.AppId, "--api-key", Server.ApiKey]).InvokeAsync();
            Assert.Equal(0, await Run("messages", "search", "party"));
            Assert.Contains("release party tonight", output.ToString());
            Assert.DoesNotContain("release notes", output.ToString());

            output.GetStringBuilder().Clear();
            Assert.Equal(0, await Run("messages", "search", "release", "--as", "s-b", "--limit", "2"));
            var text = output.ToString();
            Assert.Contains("release notes part 4", text);
            Assert.Contains("release notes part 3", text);
            Assert.DoesNotContain("part 2", text);
            Assert.DoesNotContain("party", text);

            output.GetStringBuilder().Clear();
            Assert.Equal(0, await Run("messages", "search", "nothingmatches"));
            Assert.Contains("no messages found", output.ToString());
            Assert.Equal(1, await Run("messages", "search", "release", "--channel", "no-such-room"));
        }
        finally
        {
            Spectre.Console.AnsiConsole.Console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings());
        }
    }
}
