using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitpleLive.Chat.Tests.EndToEnd;

/// <summary><c>services.AddGitpleLiveChat(…)</c>: options from configuration, an IHttpClientFactory handler, logging.</summary>
public sealed class DependencyInjectionTests : IAsyncLifetime
{
    private Harness _h = null!;

    public async Task InitializeAsync() => _h = await Harness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private sealed class Recorder : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Text)> Lines { get; init; } = new();
        public ILogger CreateLogger(string categoryName) => categoryName == typeof(ChatClient).FullName ? this : NullLogger;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) => Lines.Enqueue((logLevel, formatter(state, exception)));
        public void Dispose() { }
        private static readonly ILogger NullLogger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    private sealed class CountingHandler : DelegatingHandler
    {
        public int Calls;
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Calls);
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task The_registered_client_is_bound_from_configuration_calls_through_the_factory_handler_and_logs()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GitpleLive:Chat:Host"] = $"127.0.0.1:{_h.Server.Port}",
            ["GitpleLive:Chat:AppId"] = _h.Server.AppId,
            ["GitpleLive:Chat:UseTls"] = "false",
            ["GitpleLive:Chat:RequestTimeout"] = "00:00:12",
            ["GitpleLive:Chat:MaxReconnectAttempts"] = "3",
        }).Build();
        var recorder = new Recorder();
        var counting = new CountingHandler();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(recorder));
        services.AddGitpleLiveChat(config.GetSection("GitpleLive:Chat")).AddHttpMessageHandler(() => counting);
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<ChatClient>();
        Assert.Same(client, provider.GetRequiredService<ChatClient>());
        Assert.Equal((false, TimeSpan.FromSeconds(12), 3), (client.Options.UseTls, client.Options.RequestTimeout,
            client.Options.MaxReconnectAttempts));

        var id = Harness.NewId("di");
        await _h.Server.CreateUserAsync(id, "DI");
        var connected = Events.Next(h => client.Connection.Connected += h);
        await client.ConnectUserAsync(id, await _h.Server.SessionTokenAsync(id));
        await connected;
        Assert.Equal(id, (await client.User.MeAsync()).UserId);
        Assert.True(counting.Calls >= 2, $"{counting.Calls} calls through the factory's handler");
        // The client's own logging handler was added first, so it has run when this one fires.
        var disconnected = Events.Next<DisconnectedEventArgs>(h => client.Connection.Disconnected += h);
        await client.DisconnectUserAsync();
        await disconnected;

        Assert.Contains(recorder.Lines, l => l.Level == LogLevel.Information && l.Text.Contains($"as {id}", StringComparison.Ordinal));
        Assert.Contains(recorder.Lines, l => l.Text.StartsWith("Disconnected from", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_or_unreadable_setting_is_named()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Chat:Host"] = "localhost:5080",
            ["Chat:RequestTimeout"] = "soon",
        }).Build();
        var services = new ServiceCollection();
        services.AddGitpleLiveChat(config.GetSection("Chat"));
        await using var provider = services.BuildServiceProvider();
        Assert.Contains("Chat:AppId", Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ChatClient>()).Message);
    }
}
