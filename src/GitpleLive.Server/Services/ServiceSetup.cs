using GitpleLive.Server.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GitpleLive.Server.Services;

public static class ServiceSetup
{
    /// <summary>Registers the domain services, the file seam and the event and presence seams.</summary>
    public static IServiceCollection AddChatServices(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AppService>();
        services.TryAddSingleton<AppCache>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEventSink, AppCache>(sp => sp.GetRequiredService<AppCache>()));
        services.TryAddSingleton<UserService>();
        services.TryAddSingleton<UserCache>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEventSink, UserCache>(sp => sp.GetRequiredService<UserCache>()));
        services.TryAddSingleton<TokenService>();
        services.TryAddSingleton<ChannelService>();
        services.TryAddSingleton<MembershipService>();
        services.TryAddSingleton<BanService>();
        services.TryAddSingleton<MessageService>();
        services.TryAddSingleton<ModerationService>();
        services.TryAddSingleton<ProfanityFilter>();
        services.TryAddSingleton<MessageMapper>();
        services.TryAddSingleton<DeviceTokenService>();
        services.TryAddSingleton<OpenChannelService>();
        services.TryAddSingleton<FileUrls>();
        services.TryAddSingleton<FileUrlKey>();
        services.TryAddSingleton<IChatAccess, ChatAccess>();
        services.TryAddSingleton<IFileStore, LocalFileStore>();
        services.TryAddSingleton<MessageEditService>();
        services.TryAddSingleton<ReactionService>();
        services.TryAddSingleton<ReplyService>();
        services.TryAddSingleton<TypingService>();
        services.TryAddSingleton<SearchService>();
        services.AddChatEvents();
        services.AddChatRateLimits();
        return services;
    }
}
