using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GitpleLive.Server.Realtime;

/// <summary>Wires the embedded MQTT broker (MQTT over WebSocket at <c>/ws</c>) into the server.</summary>
public static class RealtimeSetup
{
    /// <summary>
    /// Registers the broker, the ACL and the event sink that delivers chat events. Settings come from the
    /// <c>GitpleLive:Realtime</c> section (<see cref="RealtimeOptions"/>).
    /// </summary>
    public static IServiceCollection AddChatRealtime(this IServiceCollection services)
    {
        services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.Section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RealtimeOptions>, RealtimeOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<RealtimeOptions>>().Value);
        services.TryAddSingleton<SubscriptionRegistry>();
        services.TryAddSingleton<ConnectionDirectory>();
        services.TryAddSingleton<RealtimeEndpoint>();
        services.TryAddSingleton<RealtimeBroker>();
        services.AddHostedService(sp => sp.GetRequiredService<RealtimeBroker>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEventSink, MqttEventSink>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IEventGapListener, RealtimeResync>());
        return services;
    }

    /// <summary>Maps the MQTT-over-WebSocket endpoint (<c>/ws</c> unless configured otherwise).</summary>
    public static WebApplication MapChatRealtime(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<RealtimeOptions>();
        var endpoint = app.Services.GetRequiredService<RealtimeEndpoint>();
        app.Map(options.Path, endpoint.HandleAsync);
        return app;
    }
}
