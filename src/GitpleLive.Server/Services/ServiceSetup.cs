using GitpleLive.Server.Events;
using GitpleLive.Server.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitpleLive.Server.Services;

public static class ServiceSetup
{
    /// <summary>
    /// Registers the domain services and the event, presence and file seams (in-process by default, Redis when configured).
    /// </summary>
    public static IServiceCollection AddChatServices(this IServiceCollection services, ChatServerOptions options)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<AppService>();
        services.AddSingleton<UserService>();
        services.AddSingleton<UserCache>();
        services.AddSingleton<IEventSink>(sp => sp.GetRequiredService<UserCache>());
        services.AddSingleton<TokenService>();
        services.AddSingleton<ChannelService>();
        services.AddSingleton<MembershipService>();
        services.AddSingleton<BanService>();
        services.AddSingleton<MessageService>();
        services.AddSingleton<ModerationService>();
        services.AddSingleton<FanoutGenerator>();
        services.AddSingleton<ChannelSequencer>();
        services.AddSingleton<ProfanityFilter>();
        services.AddSingleton<MessageMapper>();
        services.AddSingleton<FileUrls>();
        services.AddSingleton<FileUrlKey>();
        services.AddSingleton<IChatAccess, ChatAccess>();
        services.AddSingleton<IFileStore, LocalFileStore>();
        if (string.IsNullOrEmpty(options.Redis))
        {
            services.AddSingleton<IPresence, InMemoryPresence>();
            services.AddSingleton<IEventPublisher, LocalEventPublisher>();
        }
        else
        {
            services.AddSingleton(new RedisConnection(options.Redis));
            services.AddSingleton<IPresence, RedisPresence>();
            services.AddSingleton<IEventPublisher, RedisEventPublisher>();
        }
        return services;
    }
}
