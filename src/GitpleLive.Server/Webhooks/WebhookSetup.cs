using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GitpleLive.Server.Webhooks;

public static class WebhookSetup
{
    private const string InnerPublisher = "gitplelive:realtime-publisher";

    /// <summary>
    /// Registers webhooks: the settings cache (an event sink, for the node event that forgets an app), the writer's stage
    /// (<see cref="WebhookStage"/>: the deliveries of what a write raises, in its transaction), the queue writer
    /// and the delivery worker (hosted services), and the <see cref="WebhookPublisher"/> around whatever
    /// <see cref="IEventPublisher"/> is registered at this point (the server's own, or a host's). Call after the event seams.
    /// </summary>
    public static IServiceCollection AddChatWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<WebhookOptions>>().Value);
        services.TryAddSingleton<WebhookSettingsCache>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEventSink, WebhookSettingsCache>(
            sp => sp.GetRequiredService<WebhookSettingsCache>()));
        services.TryAddSingleton<WebhookSignal>();
        // The writer's stage: deliveries of the events a write raises, stored in its transaction.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IWriteStage, WebhookStage>());
        services.TryAddSingleton<WebhookQueue>();
        services.TryAddSingleton<WebhookDispatcher>();
        services.TryAddSingleton<WebhookService>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookQueue>());
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());

        // The publisher registered so far becomes a keyed service the container still owns (and disposes).
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(IEventPublisher) && !d.IsKeyedService);
        if (existing is null || existing.ImplementationType == typeof(WebhookPublisher)) return services;
        services.Remove(existing);
        services.Add(existing switch
        {
            { ImplementationInstance: { } instance } => new ServiceDescriptor(typeof(IEventPublisher), InnerPublisher, instance),
            { ImplementationFactory: { } factory } => new ServiceDescriptor(typeof(IEventPublisher), InnerPublisher,
                (sp, _) => factory(sp), existing.Lifetime),
            _ => new ServiceDescriptor(typeof(IEventPublisher), InnerPublisher, existing.ImplementationType!, existing.Lifetime),
        });
        services.AddSingleton<IEventPublisher>(sp => new WebhookPublisher(
            sp.GetRequiredKeyedService<IEventPublisher>(InnerPublisher), sp.GetRequiredService<WebhookSettingsCache>(),
            sp.GetRequiredService<WebhookQueue>()));
        return services;
    }
}
