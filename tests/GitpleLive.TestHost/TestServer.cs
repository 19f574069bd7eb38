using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GitpleLive.Server.Events;
using GitpleLive.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.TestHost;

/// <summary>
/// The real server, in-process, on a free 127.0.0.1 port, with its own data folder and a pinned app.
/// Tests talk to it over real HTTP and WebSocket sockets.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private WebApplication? _app;
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<WebApplicationBuilder>? _configure;
    private readonly TimeProvider? _time;

    public string AppId { get; }
    public string ApiKey { get; }
    public string DataDirectory { get; }
    public int Port { get; private set; }
    /// <summary><c>http://127.0.0.1:{port}</c></summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    /// <summary>The host as SDKs take it (<c>localhost:{port}</c>: plain HTTP and WS).</summary>
    public string Host => $"localhost:{Port}";
    /// <summary><c>ws://127.0.0.1:{port}/ws</c></summary>
    public string WebSocketUrl => $"ws://127.0.0.1:{Port}/ws";
    public WebApplication App => _app ?? throw new InvalidOperationException("server is stopped");
    public IServiceProvider Services => App.Services;
    /// <summary>Every event the server published, in order.</summary>
    public EventRecorder Events { get; } = new();
    /// <summary>An HTTP client for the Platform API of the pinned app.</summary>
    public HttpClient Platform { get; private set; } = null!;

    private TestServer(string appId, string apiKey, string dataDirectory, Dictionary<string, string?> settings, Action<WebApplicationBuilder>? configure,
        TimeProvider? time)
    {
        _time = time;
        AppId = appId;
        ApiKey = apiKey;
        DataDirectory = dataDirectory;
        _settings = settings;
        _configure = configure;
    }

    /// <summary>
    /// Starts a server. <paramref name="settings"/> are configuration keys such as <c>GitpleLive:SdkTokenLifetime</c>;
    /// <paramref name="time"/> replaces the server's clock (a <c>FakeTimeProvider</c> lets a test move time on).
    /// </summary>
    public static async Task<TestServer> StartAsync(IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null,
        string? dataDirectory = null, TimeProvider? time = null)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var dir = dataDirectory ?? Path.Combine(Path.GetTempPath(), "gitplelive-tests", id);
        var all = new Dictionary<string, string?>
        {
            ["GitpleLive:DataDirectory"] = dir,
            ["GitpleLive:DefaultAppId"] = "app-" + id,
            ["GitpleLive:DefaultApiKey"] = "key-" + id,
        };
        if (settings is not null) foreach (var (k, v) in settings) all[k] = v;
        var server = new TestServer(all["GitpleLive:DefaultAppId"]!, all["GitpleLive:DefaultApiKey"]!, dir, all, configure, time);
        await server.StartAppAsync(0);
        return server;
    }

    private async Task StartAppAsync(int port)
    {
        var args = new List<string> { $"--urls=http://127.0.0.1:{port}" };
        args.AddRange(_settings.Select(kv => $"--{kv.Key}={kv.Value}"));
        var app = ChatServer.Build(args.ToArray(), b =>
        {
            b.Services.AddSingleton<IEventSink>(Events);
            // Registered before the server's own services, whose TryAdd then keeps it.
            if (_time is not null) b.Services.AddSingleton(_time);
            b.Logging.SetMinimumLevelWarning();
            _configure?.Invoke(b);
        });
        try
        {
            await ChatServer.PrepareAsync(app);
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
        _app = app;
        Platform?.Dispose();
        Platform = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        Platform.DefaultRequestHeaders.Add("APP_ID", AppId);
        Platform.DefaultRequestHeaders.Add("APP_API_KEY", ApiKey);
    }

    /// <summary>Stops the server (connections drop) and starts it again on the same port and data.</summary>
    public async Task RestartAsync(TimeSpan? downtime = null)
    {
        var port = Port;
        await StopAsync();
        if (downtime is { } d) await Task.Delay(d);
        await StartAppAsync(port);
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        var app = _app;
        _app = null;
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Platform?.Dispose();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    // ---- Platform helpers -----------------------------------------------------------------------

    /// <summary>Creates a user through the Platform API.</summary>
    public async Task<JsonObject> CreateUserAsync(string userId, string? name = null)
    {
        var response = await Platform.PostAsJsonAsync("/v1/users", new { user_id = userId, name = name ?? userId });
        return await Read(response);
    }

    /// <summary>A session token from the Platform API (default: valid for a day).</summary>
    public async Task<string> SessionTokenAsync(string userId, long? expiresAt = null)
    {
        var response = await Platform.PostAsJsonAsync($"/v1/users/{userId}/token", new { expires_at = expiresAt ?? DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds() });
        return (await Read(response))["token"]!.GetValue<string>();
    }

    /// <summary>Creates the user (if needed), exchanges a session token for an SDK token and returns a ready SDK client.</summary>
    public async Task<SdkUser> SdkUserAsync(string userId, string? name = null)
    {
        var exists = await Platform.GetAsync($"/v1/users/{userId}");
        if (!exists.IsSuccessStatusCode) await CreateUserAsync(userId, name);
        var session = await SessionTokenAsync(userId);
        var http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        http.DefaultRequestHeaders.Add("APP_ID", AppId);
        http.DefaultRequestHeaders.Add("USER_ID", userId);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/sdk/users/token") { Content = JsonContent.Create(new { }) };
        request.Headers.Authorization = new("Bearer", session);
        var token = (await Read(await http.SendAsync(request)))["token"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return new SdkUser(userId, token, session, http);
    }

    private static async Task<JsonObject> Read(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}

/// <summary>An SDK user with a valid SDK token and an <see cref="HttpClient"/> carrying its headers.</summary>
public sealed record SdkUser(string UserId, string SdkToken, string SessionToken, HttpClient Http) : IDisposable
{
    public void Dispose() => Http.Dispose();
}

/// <summary>Records every published event; tests wait for the ones they expect.</summary>
public sealed class EventRecorder : IEventSink
{
    private readonly ConcurrentQueue<ChatEvent> _events = new();
    private readonly SemaphoreSlim _signal = new(0);

    public IReadOnlyList<ChatEvent> All => _events.ToArray();

    public ValueTask DeliverAsync(ChatEvent chatEvent, CancellationToken cancellationToken = default)
    {
        _events.Enqueue(chatEvent);
        _signal.Release();
        return ValueTask.CompletedTask;
    }

    /// <summary>Waits until an event matching <paramref name="match"/> has been published (default timeout 10 s).</summary>
    public async Task<ChatEvent> WaitForAsync(Func<ChatEvent, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var found = _events.FirstOrDefault(match);
            if (found is not null) return found;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException("no matching event was published");
            await _signal.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Events published so far that match.</summary>
    public List<ChatEvent> Where(Func<ChatEvent, bool> match) => _events.Where(match).ToList();
}
