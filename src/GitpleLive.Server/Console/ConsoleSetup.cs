using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GitpleLive.Server.OperatorConsole;

public static class ConsoleSetup
{
    /// <summary>Registers the operator console (<see cref="ConsoleOptions"/>, section <c>GitpleLive:Console</c>).</summary>
    public static IServiceCollection AddChatConsole(this IServiceCollection services)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section)
            .Validate(o => string.IsNullOrEmpty(o.AdminKey) || o.AdminKey.Length >= 16,
                $"{ConsoleOptions.Section}:AdminKey must be at least 16 characters (or empty to turn admin sign-in off).")
            .Validate(o => o.SessionLifetime > TimeSpan.Zero, $"{ConsoleOptions.Section}:SessionLifetime must be positive.")
            .Validate(o => o.SignInAttempts >= 1, $"{ConsoleOptions.Section}:SignInAttempts must be at least 1.")
            .Validate(o => o.SignInWindow > TimeSpan.Zero, $"{ConsoleOptions.Section}:SignInWindow must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ConsoleOptions>>().Value);
        services.TryAddSingleton<ConsoleSessions>();
        services.TryAddSingleton<ConsoleAssets>();
        services.TryAddSingleton<ConsoleStats>();
        services.AddHostedService(sp => sp.GetRequiredService<ConsoleStats>());
        services.TryAddSingleton<ConsoleEventStream>();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IEventSink, ConsoleEventStream>(sp => sp.GetRequiredService<ConsoleEventStream>()));
        services.TryAddSingleton<ReportQueueService>();
        return services;
    }
}
