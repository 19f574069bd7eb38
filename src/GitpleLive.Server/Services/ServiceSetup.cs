using GitpleLive.Server.Events;

namespace GitpleLive.Server.Services;

public static class ServiceSetup
{
    /// <summary>Registers the domain services, the file seam and the event and presence seams.</summary>
    public static IServiceCollection AddChatServices(this IServiceCollection services)
    {
        services.AddSingleton<AppService>();
        services.AddSingleton<UserService>();
        services.AddSingleton<UserCache>();
        services.AddSingleton<IEventSink>(sp => sp.GetRequiredService<UserCache>());
        services.AddSingleton<TokenService>();
        services.AddSingleton<ChannelService>();
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
        services.AddChatEvents();
        return services;
    }
}
