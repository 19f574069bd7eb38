using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GitpleLive.Server.RateLimiting;

public static class RateLimitSetup
{
    /// <summary>
    /// Registers the limits (<see cref="RateLimitOptions"/>, section <c>GitpleLive:RateLimits</c>) and where they are
    /// counted: in Redis when it is configured (cluster-wide), else on this node.
    /// </summary>
    public static IServiceCollection AddChatRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section)
            .Validate(o => o.Window > TimeSpan.Zero, $"{RateLimitOptions.Section}:Window must be positive.")
            .Validate(o => RateLimitOptions.Names.All(n => o.Default(n) >= 0), $"{RateLimitOptions.Section}: limits must not be negative.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<RateLimitOptions>>().Value);
        services.TryAddSingleton<LocalRateLimitStore>();
        services.TryAddSingleton<IRateLimitStore>(sp => sp.GetRequiredService<ChatServerOptions>().UsesRedis
            ? ActivatorUtilities.CreateInstance<RedisRateLimitStore>(sp, sp.GetRequiredService<RedisConnection>())
            : sp.GetRequiredService<LocalRateLimitStore>());
        services.TryAddSingleton<ChatRateLimiter>();
        return services;
    }
}
