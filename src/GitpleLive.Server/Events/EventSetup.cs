using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitpleLive.Server.Events;

public static class EventSetup
{
    /// <summary>
    /// Registers the event and presence seams: in-process, or through Redis when <see cref="ChatServerOptions.Redis"/>
    /// is set. The choice is read from the bound options when a seam is first resolved.
    /// </summary>
    public static IServiceCollection AddChatEvents(this IServiceCollection services)
    {
        services.TryAddSingleton(sp => new RedisConnection(sp.GetRequiredService<ChatServerOptions>().Redis!,
            sp.GetService<ILogger<RedisConnection>>()));
        services.TryAddSingleton<IRedisStatus>(sp => UsesRedis(sp) ? sp.GetRequiredService<RedisConnection>() : NoRedis.Instance);
        // Built here rather than registered by type as well, so the container disposes each one once.
        services.TryAddSingleton<IPresence>(sp => UsesRedis(sp)
            ? ActivatorUtilities.CreateInstance<RedisPresence>(sp)
            : new InMemoryPresence());
        services.TryAddSingleton<IOpenParticipants>(sp => UsesRedis(sp)
            ? ActivatorUtilities.CreateInstance<RedisOpenParticipants>(sp)
            : ActivatorUtilities.CreateInstance<InMemoryOpenParticipants>(sp));
        services.TryAddSingleton<IEventPublisher>(sp => UsesRedis(sp)
            ? ActivatorUtilities.CreateInstance<RedisEventPublisher>(sp)
            : ActivatorUtilities.CreateInstance<LocalEventPublisher>(sp));
        return services;
    }

    private sealed class NoRedis : IRedisStatus
    {
        public static readonly NoRedis Instance = new();
        public bool IsAvailable => false;
    }

    private static bool UsesRedis(IServiceProvider services) => services.GetRequiredService<ChatServerOptions>().UsesRedis;
}
