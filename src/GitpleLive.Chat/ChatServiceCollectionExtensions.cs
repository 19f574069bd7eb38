using System.Globalization;
using GitpleLive.Chat;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="ChatClient"/> for apps that use dependency injection (desktop, MAUI, workers).</summary>
public static class ChatServiceCollectionExtensions
{
    /// <summary>
    /// The name of the HTTP handler the registered client's REST calls go through (configure it with the returned builder).
    /// </summary>
    public const string HttpClientName = "GitpleLive.Chat";

    /// <summary>
    /// Registers one <see cref="ChatClient"/> (a singleton: one signed-in user per app) with options read from
    /// <paramref name="configuration"/>: <c>Host</c>, <c>AppId</c>, and optionally <c>UseTls</c>, <c>RequestTimeout</c>,
    /// <c>FileUploadTimeout</c>, <c>KeepAlivePeriod</c>, <c>MaxReconnectAttempts</c>, <c>ReconnectDelay</c>,
    /// <c>MaxReconnectDelay</c>, <c>CatchUpMissedMessages</c> (e.g. the section <c>GitpleLive:Chat</c>). REST calls use an
    /// <see cref="IHttpClientFactory"/> handler; the client logs through the container's <see cref="ILoggerFactory"/>.
    /// </summary>
    /// <returns>The named HTTP client's builder, for handlers (proxies, certificates).</returns>
    public static IHttpClientBuilder AddGitpleLiveChat(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddGitpleLiveChat(_ => Read(configuration));
    }

    /// <summary>
    /// Registers one <see cref="ChatClient"/> with options built by <paramref name="options"/> (called once). The
    /// container's HTTP handler and <see cref="ILoggerFactory"/> are used unless the options name their own.
    /// </summary>
    /// <returns>The named HTTP client's builder, for handlers (proxies, certificates).</returns>
    public static IHttpClientBuilder AddGitpleLiveChat(this IServiceCollection services, Func<IServiceProvider, ChatClientOptions> options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(sp =>
        {
            var o = options(sp);
            return o with
            {
                HttpMessageHandler = o.HttpMessageHandler
                    ?? sp.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(HttpClientName),
                LoggerFactory = o.LoggerFactory ?? sp.GetService<ILoggerFactory>(),
            };
        });
        services.TryAddSingleton(sp => new ChatClient(sp.GetRequiredService<ChatClientOptions>()));
        return services.AddHttpClient(HttpClientName);
    }

    private static ChatClientOptions Read(IConfiguration section)
    {
        var defaults = new ChatClientOptions();
        return new ChatClientOptions
        {
            Host = section["Host"] is { Length: > 0 } host ? host : throw Missing(section, "Host"),
            AppId = section["AppId"] is { Length: > 0 } app ? app : throw Missing(section, "AppId"),
            UseTls = section["UseTls"] is { Length: > 0 } tls ? Parse<bool>(section, "UseTls", tls, bool.TryParse) : null,
            RequestTimeout = Time(section, "RequestTimeout", defaults.RequestTimeout),
            FileUploadTimeout = Time(section, "FileUploadTimeout", defaults.FileUploadTimeout),
            KeepAlivePeriod = Time(section, "KeepAlivePeriod", defaults.KeepAlivePeriod),
            ReconnectDelay = Time(section, "ReconnectDelay", defaults.ReconnectDelay),
            MaxReconnectDelay = Time(section, "MaxReconnectDelay", defaults.MaxReconnectDelay),
            MaxReconnectAttempts = section["MaxReconnectAttempts"] is { Length: > 0 } n
                ? Parse(section, "MaxReconnectAttempts", n, (string v, out int r) => int.TryParse(v, CultureInfo.InvariantCulture, out r))
                : defaults.MaxReconnectAttempts,
            CatchUpMissedMessages = section["CatchUpMissedMessages"] is { Length: > 0 } c
                ? Parse<bool>(section, "CatchUpMissedMessages", c, bool.TryParse)
                : defaults.CatchUpMissedMessages,
        };
    }

    private delegate bool TryParse<T>(string value, out T result);

    private static T Parse<T>(IConfiguration section, string key, string value, TryParse<T> parse) =>
        parse(value, out var result) ? result
            : throw new InvalidOperationException($"GitpleLive chat client: '{Path(section, key)}' cannot be '{value}'");

    private static TimeSpan Time(IConfiguration section, string key, TimeSpan fallback) => section[key] is { Length: > 0 } value
        ? Parse(section, key, value, (string v, out TimeSpan r) => TimeSpan.TryParse(v, CultureInfo.InvariantCulture, out r))
        : fallback;

    private static InvalidOperationException Missing(IConfiguration section, string key) =>
        new($"GitpleLive chat client: setting '{Path(section, key)}' is required");

    private static string Path(IConfiguration section, string key) => section is IConfigurationSection s ? $"{s.Path}:{key}" : key;
}
