using GitpleLive.Chat;
using GitpleLive.Platform;
using GitpleLive.TestHost;

namespace GitpleLive.Platform.Tests;

public class PlatformClientTests : ServerTest
{
    [Fact]
    public async Task Users_can_be_created_listed_updated_and_deleted()
    {
        var created = await Client.CreateUserAsync("ann", "Ann", meta: new Dictionary<string, string> { ["team"] = "red" });
        Assert.Equal("Ann", created.Name);
        Assert.Equal("red", created.Meta!["team"]);
        await Client.CreateUserAsync("ben", "Ben");

        var all = new List<PlatformUser>();
        await foreach (var u in Client.GetUsersAsync(pageSize: 1)) all.Add(u);
        Assert.Equal(["ann", "ben"], all.Select(u => u.UserId));

        var updated = await Client.UpdateUserAsync("ann", name: "Annie");
        Assert.Equal("Annie", (await Client.GetUserAsync("ann")).Name);
        Assert.Equal("Annie", updated.Name);
        Assert.Contains(Server.Events.All, e => e.Category == "user_update" && e.TargetId == "ann");

        await Client.DeleteUserAsync("ben");
        var missing = await Assert.ThrowsAsync<GitpleLiveException>(() => Client.GetUserAsync("ben"));
        Assert.Equal(1004, missing.Code);
        Assert.Equal(404, missing.Status);
        Assert.Contains(Server.Events.All, e => e.Category == "user_delete" && e.TargetId == "ben");
    }

    [Fact]
    public async Task Session_tokens_are_jwts_that_expire_when_asked()
    {
        await Client.CreateUserAsync("tok", "Tok");
        var expires = DateTimeOffset.UtcNow.AddHours(2);
        var token = await Client.IssueSessionTokenAsync("tok", expires);
        Assert.Equal(3, token.Token.Split('.').Length);
        Assert.Equal(expires.ToUnixTimeMilliseconds(), token.ExpiresAt);
    }

    [Fact]
    public async Task Channels_members_managers_messages_and_bans_work_through_the_client()
    {
        foreach (var id in new[] { "m1", "m2", "m3" }) await Client.CreateUserAsync(id, id.ToUpperInvariant());
        var channel = await Client.CreateChannelAsync(new ChannelCreateOptions { ChannelId = "room", Name = "Room", Members = ["m1"], Managers = ["m2"] });
        Assert.Equal("room", channel.ChannelId);

        await Client.AddMembersAsync("room", ["m3"]);
        Assert.Equal(["m1", "m2", "m3"], (await Client.GetMembersAsync("room")).Select(u => u.UserId).Order());
        await Client.AddManagerAsync("room", "m1");
        await Client.RemoveManagerAsync("room", "m1");
        var notManager = await Assert.ThrowsAsync<GitpleLiveException>(() => Client.RemoveManagerAsync("room", "m1"));
        Assert.Equal(1016, notManager.Code);

        var sent = await Client.SendMessageAsync("room", "m1", "hello from the backend");
        Assert.Equal("m1", sent.User.UserId);
        var history = await Client.GetMessagesAsync("room");
        Assert.Equal("hello from the backend", Assert.Single(history).Content);
        Assert.Contains(Server.Events.All, e => e.Category == "group:message_send" && e.TargetId == "room");

        var frozen = await Client.FreezeChannelAsync("room", true);
        Assert.True(frozen.Freeze);

        var ban = await Client.BanAsync("room", "m3", TimeSpan.FromMinutes(5), "spam");
        Assert.Equal("spam", ban.Reason);
        Assert.Equal(ban.StartAt + 300_000, ban.EndAt);
        Assert.Equal("m3", Assert.Single(await Client.GetBannedListAsync("room")).User.UserId);
        Assert.DoesNotContain("m3", (await Client.GetMembersAsync("room")).Select(u => u.UserId));
        await Client.UnbanAsync("room", "m3");
        Assert.Empty(await Client.GetBannedListAsync("room"));

        await Client.RemoveMembersAsync("room", ["m1"]);
        await Client.DeleteMessageAsync("room", sent.MessageId);
        Assert.Empty(await Client.GetMessagesAsync("room"));

        var listed = new List<PlatformChannel>();
        await foreach (var c in Client.GetChannelsAsync()) listed.Add(c);
        Assert.Equal("room", Assert.Single(listed).ChannelId);
        Assert.Equal(["m2"], listed[0].Managers!.Select(m => m.UserId));

        await Client.DeleteChannelAsync("room");
        Assert.Equal(1003, (await Assert.ThrowsAsync<GitpleLiveException>(() => Client.GetChannelAsync("room"))).Code);
    }

    [Fact]
    public async Task Rate_limit_overrides_apply_and_refusals_carry_9001()
    {
        await Client.CreateUserAsync("rl-user", "rl");
        await Client.CreateChannelAsync(new ChannelCreateOptions { ChannelId = "rl-room", Name = "Rl", Members = ["rl-user"] });
        var settings = await Client.UpdateAppSettingsAsync(new AppSettingsUpdate
        {
            RateLimits = new Dictionary<string, int?> { ["sends_per_app"] = 1 },
        });
        try
        {
            Assert.Equal(1, settings.RateLimits["sends_per_app"]);
            await Client.SendMessageAsync("rl-room", "rl-user", "one");
            var refused = await Assert.ThrowsAsync<GitpleLiveException>(() => Client.SendMessageAsync("rl-room", "rl-user", "two"));
            Assert.Equal(9001, refused.Code);
        }
        finally
        {
            var reset = await Client.UpdateAppSettingsAsync(new AppSettingsUpdate
            {
                RateLimits = new Dictionary<string, int?> { ["sends_per_app"] = null },
            });
            Assert.Empty(reset.RateLimits);
        }
    }

    [Fact]
    public async Task App_settings_change_the_limits_the_server_enforces()
    {
        var settings = await Client.UpdateAppSettingsAsync(new AppSettingsUpdate { MaxMembersPerChannel = 2, AllowTokenless = true });
        Assert.Equal(2, settings.MaxMembersPerChannel);
        Assert.True((await Client.GetAppSettingsAsync()).AllowTokenless);

        foreach (var id in new[] { "l1", "l2", "l3" }) await Client.CreateUserAsync(id, id);
        var full = await Assert.ThrowsAsync<GitpleLiveException>(() =>
            Client.CreateChannelAsync(new ChannelCreateOptions { ChannelId = "small", Name = "Small", Members = ["l1", "l2", "l3"] }));
        Assert.Equal(1010, full.Code);
    }

    [Fact]
    public async Task A_wrong_api_key_is_refused_with_4003()
    {
        using var wrong = new PlatformClient(new PlatformClientOptions { Host = Server.Host, AppId = Server.AppId, ApiKey = "not-the-key" });
        var e = await Assert.ThrowsAsync<GitpleLiveException>(() => wrong.GetAppSettingsAsync());
        Assert.Equal(4003, e.Code);
        Assert.Equal(401, e.Status);
    }
}
