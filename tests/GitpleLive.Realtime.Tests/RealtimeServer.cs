using GitpleLive.Server.Auth;
using GitpleLive.Server.Events;
using GitpleLive.Server.Services;
using GitpleLive.Server.Storage;
using GitpleLive.TestHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using MQTTnet.Formatter;

namespace GitpleLive.Realtime.Tests;

/// <summary>
/// The real server (started by the shared <see cref="TestServer"/> host on a free 127.0.0.1 port) with three
/// pinned apps, the platform steps the tests need (users, tokens, channels) and an MQTT client factory.
/// </summary>
public class RealtimeServer : IAsyncLifetime
{
    public const string AppId = "rt-app";
    public const string OtherAppId = "rt-other";
    public const string TokenlessAppId = "rt-tokenless";

    private TestServer? _host;

    /// <summary>The server, started by the shared test host with this class's pinned apps.</summary>
    public TestServer Host => _host ?? throw new InvalidOperationException("not started");
    public WebApplication App => Host.App;
    public int Port => Host.Port;
    public string BaseUrl => Host.BaseUrl;
    public string WebSocketUrl => Host.WebSocketUrl;

    /// <summary>Extra configuration for a server with special settings (e.g. small queues).</summary>
    protected virtual IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    /// <summary>Changes to the server's services for a server with special needs (e.g. a fixed shutdown timeout).</summary>
    protected virtual void Configure(WebApplicationBuilder builder) { }

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>(ExtraSettings)
        {
            ["GitpleLive:DefaultAppId"] = AppId,
            ["GitpleLive:DefaultApiKey"] = "rt-api-key",
        };
        _host = await TestServer.StartAsync(settings, Configure);
        var apps = Service<AppService>();
        await apps.CreateAsync(OtherAppId, "other", null, allowTokenless: false);
        await apps.CreateAsync(TokenlessAppId, "tokenless", null, allowTokenless: true);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }

    /// <summary>
    /// Waits (polling, bounded by <see cref="TestClient.Timeout"/>) until <paramref name="condition"/> holds: for
    /// state the server updates asynchronously, such as presence after a socket goes.
    /// </summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TestClient.Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>A fresh, unique id with a readable prefix.</summary>
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    public async Task<string> CreateUserAsync(string appId, string userId)
    {
        var app = (await Service<AppService>().FindAsync(appId))!;
        await Service<UserService>().CreateAsync(ChatCaller.Platform(app), userId, userId, null, null);
        return userId;
    }

    public async Task<string> SdkTokenAsync(string appId, string userId)
    {
        var app = (await Service<AppService>().FindAsync(appId))!;
        var tokens = Service<TokenService>();
        var session = await tokens.IssueSessionTokenAsync(ChatCaller.Platform(app), userId, null);
        return (await tokens.ExchangeAsync(app, userId, session.Token)).Token;
    }

    /// <summary>A user with a valid SDK token.</summary>
    public async Task<(string UserId, string Token)> NewUserAsync(string appId = AppId, string prefix = "u")
    {
        var user = await CreateUserAsync(appId, NewId(prefix));
        return (user, await SdkTokenAsync(appId, user));
    }

    /// <summary>Creates a group channel with members (the managers among them) straight in the store.</summary>
    public Task CreateChannelAsync(string appId, string channelId, IEnumerable<string> members, IEnumerable<string>? managers = null)
    {
        var managerSet = new HashSet<string>(managers ?? []);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return Service<ChatStore>().WriteAsync(db =>
        {
            db.Channels.Add(new ChannelRow { AppId = appId, ChannelId = channelId, Name = channelId, CreatedAt = now, UpdatedAt = now });
            foreach (var m in members.Union(managerSet))
                db.Members.Add(new MemberRow { AppId = appId, ChannelId = channelId, UserId = m, IsManager = managerSet.Contains(m), JoinedAt = now });
            return Task.CompletedTask;
        });
    }

    public Task RemoveMemberAsync(string appId, string channelId, string userId) =>
        Service<ChatStore>().WriteAsync(db => db.Members.Where(m => m.AppId == appId && m.ChannelId == channelId && m.UserId == userId).ExecuteDeleteAsync());

    public Task SetManagerAsync(string appId, string channelId, string userId, bool manager) =>
        Service<ChatStore>().WriteAsync(db => db.Members.Where(m => m.AppId == appId && m.ChannelId == channelId && m.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.IsManager, manager)));

    public ValueTask PublishAsync(params ChatEvent[] events) => Service<IEventPublisher>().PublishAsync(events);

    public static string ClientIdOf(string appId, string userId) =>
        $"{appId}::{userId}::test-1.0::{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}::127.0.0.1";

    /// <summary>Connects an MQTT client over WebSocket; throws when the server refuses.</summary>
    public Task<TestClient> ConnectAsync(string appId, string userId, string? password, MqttProtocolVersion version = MqttProtocolVersion.V311, string? clientId = null) =>
        TestClient.ConnectAsync(WebSocketUrl, clientId ?? ClientIdOf(appId, userId), userId, password, version);

    /// <summary>A connected client of a new user, subscribed to its own topic.</summary>
    public async Task<TestClient> ConnectNewUserAsync(string appId = AppId, MqttProtocolVersion version = MqttProtocolVersion.V311)
    {
        var (user, token) = await NewUserAsync(appId);
        var client = await ConnectAsync(appId, user, token, version);
        client.AppId = appId;
        await client.SubscribeOkAsync(Topics.User(appId, user));
        return client;
    }
}

/// <summary>Topic names of the protocol (PROTOCOL §6).</summary>
public static class Topics
{
    public static string Prefix(string appId) => $"mqtt/topic/gitple/live/{appId}";
    public static string User(string appId, string userId) => $"{Prefix(appId)}/user/all/{userId}/#";
    public static string ChannelAll(string appId, string channelId, string type = "group") => $"{Prefix(appId)}/channel/{type}/{channelId}/all/#";
    public static string ChannelManager(string appId, string channelId, string type = "group") => $"{Prefix(appId)}/channel/{type}/{channelId}/manager/#";
}
