using GitpleLive.Chat;
using GitpleLive.Cli;
using GitpleLive.TestHost;

namespace GitpleLive.Platform.Tests;

[Collection(ConsoleCollection.Name)]
public class CliTests : ServerTest
{
    private Task<int> RunAsync(params string[] args) =>
        Cli.Cli.Build().Parse([.. args, "--host", Server.Host, "--app-id", Server.AppId, "--api-key", Server.ApiKey]).InvokeAsync();

    [Fact]
    public async Task Commands_change_the_app_through_the_platform_api()
    {
        Assert.Equal(0, await RunAsync("users", "create", "cli-a", "--name", "Cli A"));
        Assert.Equal(0, await RunAsync("users", "create", "cli-b"));
        Assert.Equal("Cli A", (await Client.GetUserAsync("cli-a")).Name);

        Assert.Equal(0, await RunAsync("channels", "create", "cli-room", "--member", "cli-a", "--manager", "cli-b"));
        Assert.Equal(0, await RunAsync("messages", "send", "cli-room", "hi there", "--as", "cli-a"));
        Assert.Equal("hi there", Assert.Single(await Client.GetMessagesAsync("cli-room")).Content);

        Assert.Equal(0, await RunAsync("channels", "ban", "cli-room", "cli-a", "--minutes", "10"));
        Assert.Single(await Client.GetBannedListAsync("cli-room"));

        Assert.Equal(0, await RunAsync("app", "set", "--max-meta-keys", "7", "--profanity-mode", "mask", "--profanity-word", "darn", "--profanity-word", "heck"));
        var settings = await Client.GetAppSettingsAsync();
        Assert.Equal(7, settings.MaxMetaKeys);
        Assert.Equal("mask", settings.ProfanityMode);
        Assert.Equal(["darn", "heck"], settings.ProfanityWords);

        Assert.Equal(0, await RunAsync("app", "set", "--rate-limit", "sends_per_user=5", "--rate-limit", "reads_per_app=9000"));
        Assert.Equal(new Dictionary<string, int> { ["reads_per_app"] = 9000, ["sends_per_user"] = 5 },
            (await Client.GetAppSettingsAsync()).RateLimits.OrderBy(kv => kv.Key).ToDictionary());
        Assert.Equal(0, await RunAsync("app", "set", "--rate-limit", "sends_per_user=default", "--rate-limit", "reads_per_app=default"));
        Assert.Empty((await Client.GetAppSettingsAsync()).RateLimits);
        Assert.Equal(1, await RunAsync("app", "set", "--rate-limit", "sends_per_week=5"));

        Assert.Equal(0, await RunAsync("users", "delete", "cli-b"));
        Assert.Equal(1004, (await Assert.ThrowsAsync<GitpleLiveException>(() => Client.GetUserAsync("cli-b"))).Code);
    }

    [Fact]
    public async Task A_refusal_exits_with_1_and_missing_credentials_with_2()
    {
        Assert.Equal(1, await RunAsync("users", "show", "nobody"));
        Assert.Equal(2, await Cli.Cli.Build().Parse(["users", "list", "--host", Server.Host, "--app-id", "", "--api-key", ""]).InvokeAsync());
    }
}
