using System.Net.Http.Json;
using GitpleLive.Server.Services;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Chat.Tests.EndToEnd;

/// <summary>The SDK's push calls against the real server: device tokens and the per-channel push preference.</summary>
public sealed class PushTests : IAsyncLifetime
{
    private Harness _h = null!;

    public async Task InitializeAsync() => _h = await Harness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task A_push_token_is_registered_with_its_platform_and_unregistered()
    {
        var id = Harness.NewId("tok");
        var client = await _h.ConnectAsync(id);
        var tokens = _h.Server.Services.GetRequiredService<DeviceTokenService>();

        await client.User.RegisterPushTokenAsync("apns-token-1", PushPlatform.Ios);
        await client.User.RegisterPushTokenAsync("fcm-token-1", PushPlatform.Android);
        await client.User.RegisterPushTokenAsync("fcm-token-1", PushPlatform.Android); // again: still one row
        var stored = (await tokens.ForUserAsync(_h.Server.AppId, id)).Select(t => (t.Token, t.Platform)).Order().ToList();
        Assert.Equal([("apns-token-1", "ios"), ("fcm-token-1", "android")], stored);

        await client.User.UnregisterPushTokenAsync("apns-token-1");
        Assert.Equal("fcm-token-1", Assert.Single(await tokens.ForUserAsync(_h.Server.AppId, id)).Token);
        var empty = await Assert.ThrowsAsync<GitpleLiveException>(() => client.User.RegisterPushTokenAsync("", PushPlatform.Android));
        Assert.Equal(GitpleLiveErrorCode.ClientInvalidParameters, empty.Code);
    }

    [Fact]
    public async Task The_push_preference_is_set_and_read_per_channel_by_members_only()
    {
        var id = Harness.NewId("pref");
        var client = await _h.ConnectAsync(id);
        var channel = Harness.NewId("ch");
        var other = Harness.NewId("ch");
        (await _h.Server.Platform.PostAsJsonAsync("/v1/group/channels", new { channel_id = channel, name = "c", members = new[] { id } }))
            .EnsureSuccessStatusCode();
        (await _h.Server.Platform.PostAsJsonAsync("/v1/group/channels", new { channel_id = other, name = "o" })).EnsureSuccessStatusCode();

        Assert.Equal(PushPreference.All, await client.GroupChannel.GetPushPreferenceAsync(channel));
        await client.GroupChannel.SetPushPreferenceAsync(channel, PushPreference.Mentions);
        Assert.Equal(PushPreference.Mentions, await client.GroupChannel.GetPushPreferenceAsync(channel));
        await client.GroupChannel.SetPushPreferenceAsync(channel, PushPreference.Off);
        Assert.Equal(PushPreference.Off, await client.GroupChannel.GetPushPreferenceAsync(channel));

        var refused = await Assert.ThrowsAsync<GitpleLiveException>(() => client.GroupChannel.SetPushPreferenceAsync(other, PushPreference.Off));
        Assert.Equal(GitpleLiveErrorCode.NotJoined, refused.Code);
    }
}
