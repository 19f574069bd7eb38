using GitpleLive.Chat;
using GitpleLive.Platform;
using GitpleLive.TestHost;

namespace GitpleLive.Platform.Tests;

public class PlatformClientTests : ServerTest
{
    [Fact]
    public async Task Users_can_be_created_listed_updated_and_deleted()
    {
        var created = await _client.CreateUserAsync("ann", "Ann", meta: new Dictionary<string, string> { ["team"] = "red" });
        Assert.Equal("Ann", created.Name);
        Assert.Equal("red", created.Meta!["team"]);
        await _client.CreateUserAsync("ben", "Ben");

        var all = new List<PlatformUser>();
        await foreach (var u in _client.GetUsersAsync(pageSize: 1)) all.Add(u);
        Assert.Equal(["ann", "ben"], all.Select(u => u.UserId));

        var updated = await _client.UpdateUserAsync("ann", name: "Annie");
        Assert.Equal("Annie", (await _client.GetUserAsync("ann")).Name);
        Assert.Equal("Annie", updated.Name);
        Assert.Contains(_server.Events.All, e => e.Category == "user_update" && e.TargetId == "ann");

        await _client.DeleteUserAsync("ben");
        var missing = await Assert.ThrowsAsync<GitpleLiveException>(() => _client.GetUserAsync("ben"));
        Assert.Equal(1004, missing.Code);
        Assert.Equal(404, missing.Status);
        Assert.Contains(_server.Events.All, e => e.Category == "user_delete" && e.TargetId == "ben");
    }

    [Fact]
    public async Task Session_tokens_are_jwts_that_expire_when_asked()
    {
        await _client.CreateUserAsync("tok", "Tok");
        var expires = DateTimeOffset.UtcNow.AddHours(2);
        var token = await _client.IssueSessionTokenAsync("tok", expires);
        Assert.Equal(3, token.Token.Split('.').Length);
        Assert.Equal(expires.ToUnixTimeMilliseconds(), token.ExpiresAt);
    }

    [Fact]
    public async Task Channels_members_managers_messages_and_bans_work_through_the_client()
    {
        foreach (var id in new[] { "m1", "m2", "m3" }) await _client.CreateUserAsync(id, id.ToUpperInvariant());
        var channel = await _client.CreateChannelAsync(new ChannelCreateOptions { ChannelId = "room", Name = "Room", Members = ["m1"], Managers = ["m2"] });
        Assert.Equal("room", channel.ChannelId);

        await _client.AddMembersAsync("room", ["m3"]);
        Assert.Equal(["m1", "m2", "m3"], (await _client.GetMembersAsync("room")).Select(u => u.UserId).Order());
        await _client.AddManagerAsync("room", "m1");
        await _client.RemoveManagerAsync("room", "m1");
        var notManager = await Assert.ThrowsAsync<GitpleLiveException>(() => _client.RemoveManagerAsync("room", "m1"));
        Assert.Equal(1016, notManager.Code);

        var sent = await _client.SendMessageAsync("room", "m1", "hello from the backend");
        Assert.Equal("m1", sent.User.UserId);
        var history = await _client.GetMessagesAsync("room");
        Assert.Equal("hello from the backend", Assert.Single(history).Content);
        Assert.Contains(_server.Events.All, e => e.Category == "group:message_send" && e.TargetId == "room");

        var frozen = await _client.FreezeChannelAsync("room", true);
        Assert.True(frozen.Freeze);

        var ban = await _client.BanAsync("room", "m3", TimeSpan.FromMinutes(5), "spam");
        Assert.Equal("spam", ban.Reason);
        Assert.Equal(ban.StartAt + 300_000, ban.EndAt);
        Assert.Equal("m3", Assert.Single(await _client.GetBannedListAsync("room")).User.UserId);
        Assert.DoesNotContain("m3", (await _client.GetMembersAsync("room")).Select(u => u.UserId));
        await _client.UnbanAsync("room", "m3");
        Assert.Empty(await _client.GetBannedListAsync("room"));

        await _client.RemoveMembersAsync("room", ["m1"]);
        await _client.DeleteMessageAsync("room", sent.MessageId);
        Assert.Empty(await _client.GetMessagesAsync("room"));

        var listed = new List<PlatformChannel>();
        await foreach (var c in _client.GetChannelsAsync()) listed.Add(c);
        Assert.Equal("room", Assert.Single(listed).ChannelId);
        Assert.Equal(["m2"], listed[0].Managers!.Select(m => m.UserId));

        await _client.DeleteChannelAsync("room");
        Assert.Equal(1003, (await Assert.ThrowsAsync<GitpleLiveException>(() => _client.GetChannelAsync("room"))).Code);
    }

    [Fact]
    public async Task App_settings_change_the_limits_the_server_enforces()
    {
        var settings = await _client.UpdateAppSettingsAsync(new AppSettingsUpdate { MaxMembersPerChannel = 2, AllowTokenless = true });
        Assert.Equal(2, settings.MaxMembersPerChannel);
        Assert.True((await _client.GetAppSettingsAsync()).AllowTokenless);

        foreach (var id in new[] { "l1", "l2", "l3" }) await _client.CreateUserAsync(id, id);
        var full = await Assert.ThrowsAsync<GitpleLiveException>(() =>
            _client.CreateChannelAsync(new ChannelCreateOptions { ChannelId = "small", Name = "Small", Members = ["l1", "l2", "l3"] }));
        Assert.Equal(1010, full.Code);
    }

    [Fact]
    public async Task A_wrong_api_key_is_refused_with_4003()
    {
        using var wrong = new PlatformClient(new PlatformClientOptions { Host = _server.Host, AppId = _server.AppId, ApiKey = "not-the-key" });
        var e = await Assert.ThrowsAsync<GitpleLiveException>(() => wrong.GetAppSettingsAsync());
        Assert.Equal(4003, e.Code);
        Assert.Equal(401, e.Status);
    }
}
