using GitpleLive.Chat.Internal;
using GitpleLive.Protocol;

namespace GitpleLive.Chat.Tests.Unit;

public class OptionsTests
{
    [Theory]
    [InlineData(null, "app")]
    [InlineData("", "app")]
    [InlineData("  ", "app")]
    [InlineData("live.example.com", null)]
    [InlineData("live.example.com", "")]
    [InlineData("https://live.example.com", "app")]
    [InlineData("live.example.com/v1", "app")]
    [InlineData("live example.com", "app")]
    public void Missing_or_malformed_host_or_app_id_is_60101(string? host, string? appId)
    {
        var e = Assert.Throws<GitpleLiveException>(() => new ChatClient(new ChatClientOptions { Host = host, AppId = appId }));
        Assert.Equal(60101, e.Code);
        Assert.Equal("invalid_parameters", e.Name);
        Assert.True(e.IsClientError);
        Assert.Null(e.Status);
    }

    [Fact]
    public void Null_options_are_60101()
    {
        var e = Assert.Throws<GitpleLiveException>(() => new ChatClient(null!));
        Assert.Equal(60101, e.Code);
    }

    public static TheoryData<ChatClientOptions> BadSettings => new()
    {
        Valid with { RequestTimeout = TimeSpan.Zero },
        Valid with { FileUploadTimeout = TimeSpan.FromSeconds(-1) },
        Valid with { KeepAlivePeriod = TimeSpan.Zero },
        Valid with { TokenRefreshCheckInterval = TimeSpan.Zero },
        Valid with { TokenRefreshThreshold = TimeSpan.FromSeconds(-1) },
        Valid with { MaxReconnectAttempts = -1 },
        Valid with { ReconnectDelay = TimeSpan.FromSeconds(5), MaxReconnectDelay = TimeSpan.FromSeconds(1) },
    };

    private static ChatClientOptions Valid => new() { Host = "live.example.com", AppId = "app" };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Invalid_settings_are_60101(ChatClientOptions options)
    {
        var e = Assert.Throws<GitpleLiveException>(() => new ChatClient(options));
        Assert.Equal(60101, e.Code);
    }

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var o = new ChatClientOptions();
        Assert.Equal(TimeSpan.FromSeconds(30), o.RequestTimeout);
        Assert.Equal(10, o.MaxReconnectAttempts);
        Assert.Equal(TimeSpan.FromMinutes(10), o.TokenRefreshCheckInterval);
        Assert.Equal(TimeSpan.FromHours(1), o.TokenRefreshThreshold);
        Assert.Equal(TimeSpan.FromSeconds(30), o.KeepAlivePeriod);
        Assert.Equal(TimeSpan.FromSeconds(1), o.ReconnectDelay);
        Assert.Equal(TimeSpan.FromSeconds(30), o.MaxReconnectDelay);
        Assert.True(o.CatchUpMissedMessages);
        Assert.Null(o.UseTls);
        Assert.Same(TimeProvider.System, o.TimeProvider);
    }

    [Fact]
    public async Task A_valid_client_starts_disconnected()
    {
        var options = Valid;
        await using var client = new ChatClient(options);
        Assert.Equal(ConnectionState.Disconnected, client.Connection.State);
        Assert.False(client.Connection.IsConnected);
        Assert.Null(client.UserId);
        // The client keeps the very options it was given (records compare equal as copies, so check the instance).
        Assert.Same(options, client.Options);
    }

    [Theory]
    [InlineData("live.example.com", null, "https://live.example.com/", "wss://live.example.com/ws")]
    [InlineData("live.example.com:8443", null, "https://live.example.com:8443/", "wss://live.example.com:8443/ws")]
    [InlineData("localhost:5080", null, "http://localhost:5080/", "ws://localhost:5080/ws")]
    [InlineData("localhost", null, "http://localhost/", "ws://localhost/ws")]
    [InlineData("127.0.0.1:5080", false, "http://127.0.0.1:5080/", "ws://127.0.0.1:5080/ws")]
    [InlineData("localhost:5443", true, "https://localhost:5443/", "wss://localhost:5443/ws")]
    [InlineData("live.example.com/", null, "https://live.example.com/", "wss://live.example.com/ws")]
    public void Urls_follow_the_host_rule(string host, bool? useTls, string rest, string ws)
    {
        var endpoint = Endpoint.FromOptions(new ChatClientOptions { Host = host, AppId = "app", UseTls = useTls });
        Assert.Equal(rest, endpoint.BaseUri.ToString());
        Assert.Equal(ws, endpoint.WebSocketUri);
        Assert.Equal(rest + "health", endpoint.HealthUri.ToString());
        Assert.Equal(rest + "v1/sdk/users/token", endpoint.Sdk("users/token").ToString());
    }

    [Fact]
    public void Topics_and_client_id_follow_the_protocol()
    {
        Assert.Equal("mqtt/topic/gitple/live/app1/user/all/u1/#", Topics.User("app1", "u1"));
        Assert.Equal("mqtt/topic/gitple/live/app1/channel/group/c1/all/#", Topics.ChannelAll("app1", "c1"));
        Assert.Equal("mqtt/topic/gitple/live/app1/channel/group/c1/manager/#", Topics.ChannelManager("app1", "c1"));
        Assert.Equal("app1::u1::1.1.0::1700000000000::10.0.0.1", Topics.ClientId("app1", "u1", ChatClient.SdkVersion, 1700000000000, "10.0.0.1"));
    }

    [Fact]
    public async Task Reconnect_backoff_doubles_up_to_the_cap_with_a_little_jitter()
    {
        await using var client = new ChatClient(Valid with { ReconnectDelay = TimeSpan.FromMilliseconds(100), MaxReconnectDelay = TimeSpan.FromMilliseconds(1000) });
        var core = client.Core;
        Assert.InRange(core.Backoff(1).TotalMilliseconds, 100, 120);
        Assert.InRange(core.Backoff(2).TotalMilliseconds, 200, 240);
        Assert.InRange(core.Backoff(3).TotalMilliseconds, 400, 480);
        Assert.InRange(core.Backoff(5).TotalMilliseconds, 1000, 1200);
        Assert.InRange(core.Backoff(50).TotalMilliseconds, 1000, 1200);
    }
}
