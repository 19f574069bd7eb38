using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace GitpleLive.Server.Operations;

/// <summary>
/// Console logs as configured: <c>Logging:Console:FormatterName</c> = <c>json</c> (one JSON object per line, for
/// log shippers), <c>systemd</c> or <c>simple</c>. <c>CreateSlimBuilder</c> fixes the simple formatter, so the
/// configured one is added explicitly. And the one line an operator looks for at start.
/// </summary>
public static class LoggingSetup
{
    public const string FormatterKey = "Logging:Console:FormatterName";

    public static WebApplicationBuilder AddChatLogging(this WebApplicationBuilder builder)
    {
        switch (builder.Configuration[FormatterKey]?.Trim().ToLowerInvariant())
        {
            case "json":
                builder.Logging.AddJsonConsole();
                break;
            case "systemd":
                builder.Logging.AddSystemdConsole();
                break;
            case "simple":
                builder.Logging.AddSimpleConsole();
                break;
        }
        return builder;
    }

    /// <summary>
    /// Logs, once the server listens: the storage provider, Redis (its endpoints only: never a password), the URLs
    /// and the number of apps.
    /// </summary>
    public static void LogStartupWhenStarted(WebApplication app, int appCount)
    {
        var options = app.Services.GetRequiredService<ChatServerOptions>();
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var urls = app.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            app.Logger.LogInformation(
                "GitpleLive server started: storage {StorageProvider}, redis {Redis}, urls {Urls}, {AppCount} apps",
                options.UsesPostgres ? "postgres" : "sqlite", RedisEndpoints(options.Redis), string.Join(" ", urls), appCount);
        });
    }

    /// <summary>The endpoints of a Redis configuration string (<c>host:port</c>, …), or <c>off</c>.</summary>
    internal static string RedisEndpoints(string? configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration)) return "off";
        try
        {
            var parsed = StackExchange.Redis.ConfigurationOptions.Parse(configuration, ignoreUnknown: true);
            return string.Join(",", parsed.EndPoints.Select(e => e switch
            {
                System.Net.DnsEndPoint d => $"{d.Host}:{d.Port}",
                _ => e.ToString(),
            }));
        }
        catch (Exception e) when (e is ArgumentException or FormatException or NotSupportedException)
        {
            return "(unreadable configuration)";
        }
    }
}
