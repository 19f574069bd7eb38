using GitpleLive.Platform;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="PlatformClient"/> for app backends that use dependency injection.</summary>
public static class PlatformServiceCollectionExtensions
{
    /// <summary>The name of the <see cref="HttpClient"/> the registered clients use (configure it with the returned builder).</summary>
    public const string HttpClientName = "GitpleLive.Platform";

    /// <summary>
    /// Registers <see cref="PlatformClient"/> (transient, over an <see cref="IHttpClientFactory"/> client, logging through the
    /// container's <see cref="ILoggerFactory"/>) with options read from <paramref name="configuration"/>: the keys
    /// <c>Host</c>, <c>AppId</c>, <c>ApiKey</c> and <c>Timeout</c> (e.g. the section <c>GitpleLive:Platform</c>).
    /// </summary>
    /// <returns>The named HTTP client's builder, for handlers and resilience policies.</returns>
    public static IHttpClientBuilder AddGitpleLivePlatform(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddGitpleLivePlatform(_ => Read(configuration));
    }

    /// <summary>
    /// Registers <see cref="PlatformClient"/> with options built by <paramref name="options"/> (called once, on first use);
    /// the container's <see cref="ILoggerFactory"/> is used unless the options name one.
    /// </summary>
    /// <returns>The named HTTP client's builder, for handlers and resilience policies.</returns>
    public static IHttpClientBuilder AddGitpleLivePlatform(this IServiceCollection services,
        Func<IServiceProvider, PlatformClientOptions> options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        services.TryAddSingleton(sp =>
        {
            var o = options(sp);
            return o.LoggerFactory is null ? o with { LoggerFactory = sp.GetService<ILoggerFactory>() } : o;
        });
        services.TryAddTransient(sp => new PlatformClient(sp.GetRequiredService<PlatformClientOptions>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName)));
        return services.AddHttpClient(HttpClientName);
    }

    private static PlatformClientOptions Read(IConfiguration section)
    {
        static string Required(IConfiguration section, string key) => section[key] is { Length: > 0 } value ? value
            : throw new InvalidOperationException($"GitpleLive Platform client: setting '{Path(section, key)}' is required");
        var timeout = section["Timeout"];
        return new PlatformClientOptions
        {
            Host = Required(section, "Host"),
            AppId = Required(section, "AppId"),
            ApiKey = Required(section, "ApiKey"),
            Timeout = string.IsNullOrEmpty(timeout) ? TimeSpan.FromSeconds(30)
                : TimeSpan.TryParse(timeout, System.Globalization.CultureInfo.InvariantCulture, out var t) && t > TimeSpan.Zero ? t
                : throw new InvalidOperationException($"GitpleLive Platform client: '{Path(section, "Timeout")}' must be a positive "
                    + $"time span such as 00:00:30, not '{timeout}'"),
        };
    }

    private static string Path(IConfiguration section, string key) => section is IConfigurationSection s ? $"{s.Path}:{key}" : key;
}
