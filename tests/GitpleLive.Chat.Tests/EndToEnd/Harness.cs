using GitpleLive.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Chat.Tests.EndToEnd;

/// <summary>
/// The real server (<see cref="TestServer"/>, 127.0.0.1 only) plus SDK clients connected to it over real HTTP and
/// MQTT-over-WebSocket sockets.
/// </summary>
public sealed class Harness : IAsyncDisposable
{
    private readonly List<ChatClient> _clients = [];
    private NetworkProxy? _network;

    private Harness(TestServer server) => Server = server;

    public TestServer Server { get; }

    /// <summary>A network path to the server that tests can drop or slow down; clients use it with <see cref="ViaNetwork"/>.</summary>
    public NetworkProxy Network
    {
        get
        {
            lock (_clients) return _network ??= new NetworkProxy(() => Server.Port);
        }
    }

    /// <summary>Options tuned to reach the server through <see cref="Network"/>.</summary>
    public ChatClientOptions ViaNetwork(ChatClientOptions options) => options with { Host = Network.Host };

    public static async Task<Harness> StartAsync(IDictionary<string, string?>? settings = null) =>
        new(await TestServer.StartAsync(settings, QuickShutdown));

    /// <summary>
    /// Stopping the server ends open WebSocket requests after the host's shutdown timeout (30 s by default);
    /// tests that stop or restart the server want the connections dropped at once, as a crash would.
    /// </summary>
    private static void QuickShutdown(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder) =>
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200));

    /// <summary>Options for a client of this server; tests shorten what they need.</summary>
    public ChatClientOptions Options() => new()
    {
        Host = $"127.0.0.1:{Server.Port}",
        UseTls = false,
        AppId = Server.AppId,
        RequestTimeout = TimeSpan.FromSeconds(10),
        ReconnectDelay = TimeSpan.FromMilliseconds(100),
        MaxReconnectDelay = TimeSpan.FromSeconds(1),
    };

    /// <summary>A fresh, unique user id with the given stem.</summary>
    public static string NewId(string stem) => $"{stem}-{Guid.NewGuid():N}"[..(stem.Length + 9)];

    /// <summary>
    /// Creates the user (Platform API), gets a week-long session token (the server's default; SDK tokens never outlive
    /// their session, so a shorter one would cut their day short) and connects a new client.
    /// </summary>
    public async Task<ChatClient> ConnectAsync(string userId, Func<ChatClientOptions, ChatClientOptions>? tune = null)
    {
        var client = await NewClientAsync(userId, tune);
        var week = DateTimeOffset.UtcNow.AddDays(7).ToUnixTimeMilliseconds();
        await client.ConnectUserAsync(userId, await Server.SessionTokenAsync(userId, week));
        return client;
    }

    /// <summary>Creates the user and a client, not yet connected.</summary>
    public async Task<ChatClient> NewClientAsync(string userId, Func<ChatClientOptions, ChatClientOptions>? tune = null)
    {
        var exists = await Server.Platform.GetAsync($"/v1/users/{userId}");
        if (!exists.IsSuccessStatusCode) await Server.CreateUserAsync(userId, "Name of " + userId);
        var client = new ChatClient(tune is null ? Options() : tune(Options()));
        lock (_clients) _clients.Add(client);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients) await client.DisposeAsync();
        if (_network is not null) await _network.DisposeAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>Awaits .NET events with a timeout instead of sleeping.</summary>
public static class Events
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>Subscribes now; the task completes with the first matching event.</summary>
    public static Task<T> Next<T>(Action<EventHandler<T>> subscribe, Func<T, bool>? match = null)
    {
        var tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        subscribe((_, e) => { if (match is null || match(e)) tcs.TrySetResult(e); });
        return tcs.Task.WaitAsync(Timeout);
    }

    /// <summary>Subscribes now; the task completes on the next raise of a plain event.</summary>
    public static Task Next(Action<EventHandler> subscribe)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscribe((_, _) => tcs.TrySetResult());
        return tcs.Task.WaitAsync(Timeout);
    }

    /// <summary>Records every event of one kind.</summary>
    public sealed class Log<T>
    {
        private readonly List<T> _items = [];
        private readonly List<(Func<List<T>, bool> Done, TaskCompletionSource Tcs)> _waiters = [];

        public Log(Action<EventHandler<T>> subscribe) => subscribe((_, e) => Add(e));

        public IReadOnlyList<T> Items
        {
            get { lock (_items) return _items.ToList(); }
        }

        private void Add(T item)
        {
            lock (_items)
            {
                _items.Add(item);
                foreach (var w in _waiters.Where(w => w.Done(_items)).ToList())
                {
                    w.Tcs.TrySetResult();
                    _waiters.Remove(w);
                }
            }
        }

        /// <summary>Completes when the log satisfies <paramref name="done"/>.</summary>
        public Task WaitAsync(Func<List<T>, bool> done)
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_items)
            {
                if (done(_items)) return Task.CompletedTask;
                _waiters.Add((done, tcs));
            }
            return tcs.Task.WaitAsync(Timeout);
        }
    }
}
