using GitpleLive.Chat;
using GitpleLive.Server.Services;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Platform.Tests;

/// <summary>The app's own lifecycle over the Platform API and the CLI: show, rotate the key, delete.</summary>
[Collection(ConsoleCollection.Name)]
public class AppLifecycleTests : ServerTest
{
    private Task<int> CliAsync(string apiKey, params string[] args) =>
        Cli.Cli.Build().Parse([.. args, "--host", Server.Host, "--app-id", Server.AppId, "--api-key", apiKey]).InvokeAsync();

    [Fact]
    public async Task Rotating_the_key_answers_the_new_one_once_and_the_old_one_stops_working()
    {
        var key = await Client.RotateApiKeyAsync();
        Assert.NotEqual(Server.ApiKey, key);
        Assert.True(key.Length >= 32, key);
        // This client moved to the new key; one with the old key is refused.
        Assert.Equal(Server.AppId, (await Client.GetAppSettingsAsync()).AppId);
        using var stale = new PlatformClient(new PlatformClientOptions { Host = Server.Host, AppId = Server.AppId, ApiKey = Server.ApiKey });
        Assert.Equal(4003, (await Assert.ThrowsAsync<GitpleLiveException>(() => stale.GetAppSettingsAsync())).Code);
        // GET /v1/app never shows the key.
        using (var http = new HttpClient { BaseAddress = new Uri(Server.BaseUrl) })
        {
            http.DefaultRequestHeaders.Add("APP_ID", Server.AppId);
            http.DefaultRequestHeaders.Add("APP_API_KEY", key);
            var settings = await http.GetStringAsync("/v1/app");
            Assert.Contains(Server.AppId, settings);
            Assert.DoesNotContain(key, settings);
        }

        // The CLI prints the next key on its own line.
        var output = new StringWriter();
        var before = Console.Out;
        Console.SetOut(output);
        int exit;
        try { exit = await CliAsync(key, "apps", "rotate-key"); }
        finally { Console.SetOut(before); }
        Assert.Equal(0, exit);
        var next = output.ToString().Split('\n', StringSplitOptions.TrimEntries).Last(l => l.Length > 0);
        Assert.NotEqual(key, next);
        Assert.Equal(0, await CliAsync(next, "apps", "show"));
        Assert.Equal(1, await CliAsync(key, "apps", "show"));
    }

    [Fact]
    public async Task Deleting_the_app_needs_confirmation_and_removes_everything_in_it()
    {
        await Client.CreateUserAsync("del-a", "A");
        await Client.CreateUserAsync("del-b", "B");
        await Client.CreateChannelAsync(new ChannelCreateOptions { ChannelId = "del-room", Name = "Room", Members = ["del-a", "del-b"] });
        await Client.SendMessageAsync("del-room", "del-a", "going away");

        // Without --yes the CLI refuses and nothing happens.
        Assert.Equal(1, await CliAsync(Server.ApiKey, "apps", "delete"));
        Assert.Equal("A", (await Client.GetUserAsync("del-a")).Name);

        Assert.Equal(0, await CliAsync(Server.ApiKey, "apps", "delete", "--yes"));
        Assert.Equal(4003, (await Assert.ThrowsAsync<GitpleLiveException>(() => Client.GetAppSettingsAsync())).Code);
        var apps = Server.Services.GetRequiredService<AppService>();
        Assert.Null(await apps.FindAsync(Server.AppId));
        var store = Server.Services.GetRequiredService<GitpleLive.Server.Storage.ChatStore>();
        var left = await store.ReadAsync(db => Task.FromResult(
            db.Users.Count(u => u.AppId == Server.AppId) + db.Channels.Count(c => c.AppId == Server.AppId)
            + db.Members.Count(m => m.AppId == Server.AppId) + db.Messages.Count(m => m.AppId == Server.AppId)));
        Assert.Equal(0, left);
    }

    [Fact]
    public async Task Channels_create_reports_the_member_count_it_made()
    {
        await Client.CreateUserAsync("cnt-a", "A");
        await Client.CreateUserAsync("cnt-b", "B");
        await Client.CreateUserAsync("cnt-c", "C");
        var output = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(output),
            Ansi = Spectre.Console.AnsiSupport.No,
            ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 200;
        Spectre.Console.AnsiConsole.Console = console;
        Assert.Equal(0, await CliAsync(Server.ApiKey, "channels", "create", "cnt-room", "--member", "cnt-a", "--member", "cnt-b",
            "--manager", "cnt-c"));
        Spectre.Console.AnsiConsole.Console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings());
        Assert.Contains("created channel cnt-room with 3 members", output.ToString().ReplaceLineEndings(" "));
        Assert.Equal(3, (await Client.GetMembersAsync("cnt-room")).Count);
    }
}

/// <summary>Tests that capture the process's console run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}
