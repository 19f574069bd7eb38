using GitpleLive.Server.Events;

namespace GitpleLive.Server.Services;

public static class ServiceSetup
{
    /// <summary>Registers the domain services and the default (single-node) event, presence and file seams.</summary>
    public static IServiceCollection AddChatServices(this IServiceCollection services)
    {
        services.AddSingleton<AppService>();
        services.AddSingleton<UserService>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<ChannelService>();
        services.AddSingleton<MessageService>();
        services.AddSingleton<ModerationService>();
        services.AddSingleton<MessageMapper>();
        services.AddSingleton<FileUrls>();
        services.AddSingleton<FileUrlKey>();
        services.AddSingleton<IChatAccess, ChatAccess>();
        services.AddSingleton<IFileStore, LocalFileStore>();
        services.AddSingleton<IPresence, InMemoryPresence>();
        services.AddSingleton<IEventPublisher, LocalEventPublisher>();
        return services;
    }
}
