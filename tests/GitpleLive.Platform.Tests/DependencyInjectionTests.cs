using System.Collections.Concurrent;
using GitpleLive.Chat;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitpleLive.Platform.Tests;

/// <summary><c>services.AddGitpleLivePlatform(…)</c>: options from configuration, IHttpClientFactory, logging.</summary>
public class DependencyInjectionTests : ServerTest
{
    private sealed class Recorder : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<(LogLevel Level, string Category, string Text)> Lines { get; init; } = new();
        private string _category = "";
        public ILogger CreateLogger(string categoryName) => new Recorder { _category = categoryName, Lines = Lines };
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue((logLevel, _category, formatter(state, exception)));
        public void Dispose() { }
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

    private IConfiguration Settings(bool withKey = true) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["GitpleLive:Platform:Host"] = Server.Host,
        ["GitpleLive:Platform:AppId"] = Server.AppId,
        ["GitpleLive:Platform:ApiKey"] = withKey ? Server.ApiKey : null,
        ["GitpleLive:Platform:Timeout"] = "00:00:20",
    }).Build();

    [Fact]
    public async Task The_registered_client_is_bound_from_configuration_uses_the_http_client_factory_and_logs()
    {
        var recorder = new Recorder();
        var counting = new CountingHandler();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(recorder).SetMinimumLevel(LogLevel.Debug));
        services.AddGitpleLivePlatform(Settings().GetSection("GitpleLive:Platform")).AddHttpMessageHandler(() => counting);
        await using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<PlatformClientOptions>();
        Assert.Equal((Server.Host, Server.AppId, TimeSpan.FromSeconds(20)), (options.Host, options.AppId, options.Timeout));
        Assert.NotNull(options.LoggerFactory);

        using var client = provider.GetRequiredService<PlatformClient>();
        Assert.Equal("DI user", (await client.CreateUserAsync("di-user", "DI user")).Name);
        var refused = await Assert.ThrowsAsync<GitpleLiveException>(() => client.GetUserAsync("nobody"));
        Assert.Equal(1004, refused.Code);
        Assert.Equal(2, counting.Calls);

        var lines = recorder.Lines.Where(l => l.Category == typeof(PlatformClient).FullName).ToList();
        Assert.Contains(lines, l => l.Level == LogLevel.Debug && l.Text.Contains("/v1/users answered 200", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Level == LogLevel.Warning && l.Text.Contains("code 1004", StringComparison.Ordinal));
        Assert.DoesNotContain(recorder.Lines, l => l.Text.Contains(Server.ApiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_setting_is_named()
    {
        var services = new ServiceCollection();
        services.AddGitpleLivePlatform(Settings(withKey: false).GetSection("GitpleLive:Platform"));
        await using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<PlatformClient>());
        Assert.Contains("GitpleLive:Platform:ApiKey", e.Message);
    }
}
