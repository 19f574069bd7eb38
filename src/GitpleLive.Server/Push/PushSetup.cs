using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GitpleLive.Server.Push;

/// <summary>Wires push: settings, the outbox the send path writes, the dispatcher and the three providers.</summary>
public static class PushSetup
{
    /// <summary>
    /// Registers push; settings come from <c>GitpleLive:Push</c> (<see cref="PushOptions"/>). Providers use the named
    /// HTTP clients <see cref="FcmPushProvider.HttpClientName"/>, <see cref="ApnsPushProvider.HttpClientName"/> and
    /// <see cref="WebhookPushProvider.HttpClientName"/>: a host configures their handlers (a proxy; a test's trust of a
    /// local fake's certificate) in its hook; certificate validation is otherwise the platform's.
    /// </summary>
    public static IServiceCollection AddChatPush(this IServiceCollection services)
    {
        services.AddOptions<PushOptions>().BindConfiguration(PushOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PushOptions>, PushOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<PushOptions>>().Value);
        services.TryAddSingleton<PushSettingsService>();
        services.TryAddEnumerable(
            ServiceDescriptor.Singleton<IEventSink, PushSettingsService>(sp => sp.GetRequiredService<PushSettingsService>()));
        services.TryAddSingleton<PushSignal>();
        services.TryAddSingleton<PushOutbox>();
        services.TryAddSingleton<PushPreferenceService>();
        services.TryAddSingleton<PushDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<PushDispatcher>());
        string[] clients = [FcmPushProvider.HttpClientName, ApnsPushProvider.HttpClientName, WebhookPushProvider.HttpClientName];
        foreach (var name in clients)
            // The dispatcher bounds each request itself (RequestTimeout); the client's own limit stays out of its way.
            services.AddHttpClient(name, c => c.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPushProvider, FcmPushProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPushProvider, ApnsPushProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPushProvider, WebhookPushProvider>());
        return services;
    }
}
