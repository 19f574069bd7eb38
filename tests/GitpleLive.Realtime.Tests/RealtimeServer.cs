using GitpleLive.Server.Events;
using GitpleLive.Server.Hosting;
using GitpleLive.Server.Services;
using GitpleLive.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using MQTTnet.Formatter;

namespace GitpleLive.Realtime.Tests;

/// <summary>
/// The real server, in process, on a free 127.0.0.1 port with its own data folder. Offers the platform
/// steps the tests need (apps, users, tokens, channels) and an MQTT client factory.
/// </summary>
public class RealtimeServer : IAsyncLifetime
{
    public const string AppId = "rt-app";
    public const string OtherAppId = "rt-other";
    public const string TokenlessAppId = "rt-tokenless";

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "gitplelive-rt-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;

    public WebApplication App => _app ?? throw new InvalidOperationException("not started");
    public int Port { get; private set; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public string WebSocketUrl => $"ws://127.0.0.1:{Port}/ws";

    /// <summary>Extra configuration for a server with special settings (e.g. small queues).</summary>
    protected virtual IEnumerable<string> ExtraArgs => [];

    public async Task InitializeAsync()
    {
        string[] args =
        [
            "--urls", "http://127.0.0.1:0",
            $"--GitpleLive:DataDirectory={_dataDirectory}",
            $"--GitpleLive:DefaultAppId={AppId}",
            "--GitpleLive:DefaultApiKey=rt-api-key",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.EntityFrameworkCore=Error",
            .. ExtraArgs,
        ];
        _app = ChatServer.Build(args);
        await using (var db = await _app.Services.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContextAsync())
        {
            // Until the store ships migrations, create the schema from the model.
            if (!db.Database.GetMigrations().Any()) await db.Database.EnsureCreatedAsync();
        }
        await ChatServer.PrepareAsync(_app);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        Port = new Uri(address).Port;

        var apps = _app.Services.GetRequiredService<AppService>();
        await apps.CreateAsync(OtherAppId, "other", null, allowTokenless: false);
        await apps.CreateAsync(TokenlessAppId, "tokenless", null, allowTokenless: true);
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>A fresh, unique id with a readable prefix.</summary>
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    public async Task<string> CreateUserAsync(string appId, string userId)
    {
        var app = (await Service<AppService>().FindAsync(appId))!;
        await Service<UserService>().CreateAsync(app, userId, userId, null, null);
        return userId;
    }

    public async Task<string> SdkTokenAsync(string appId, string userId)
    {
        var app = (await Service<AppService>().FindAsync(appId))!;
        var tokens = Service<TokenService>();
        var session = await tokens.IssueSessionTokenAsync(app, userId, null);
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
