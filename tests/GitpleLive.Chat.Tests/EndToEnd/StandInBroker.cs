using System.Collections.Concurrent;
using GitpleLive.Server.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MQTTnet;
using MQTTnet.AspNetCore;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace GitpleLive.Chat.Tests.EndToEnd;

/// <summary>
/// A minimal MQTT-over-WebSocket broker at <c>/ws</c>, plugged into the real server only while the server has
/// no realtime endpoint of its own (see <see cref="Harness"/>): it publishes the server's events on their
/// topics, applies the subscription cuts, reports presence, and lets a user subscribe only to their own user
/// topic and to channel topics. No token check: the REST API already checks every token.
/// </summary>
internal static class StandInBroker
{
    /// <summary>Topic filters the broker refuses (SUBACK 0x80), for the 60903 test.</summary>
    public sealed class Knobs
    {
        public ConcurrentDictionary<string, byte> RefusedFilters { get; } = new();
        public MqttServer? Server { get; set; }
        public ConcurrentDictionary<string, string> ClientUsers { get; } = new();
    }

    public static void Configure(WebApplicationBuilder builder, Knobs knobs)
    {
        builder.Services.AddHostedMqttServer(o => o.WithoutDefaultEndpoint());
        builder.Services.AddMqttWebSocketServerAdapter();
        builder.Services.AddSingleton(knobs);
        builder.Services.AddSingleton<IEventSink, BrokerSink>();
        builder.Services.AddSingleton<IStartupFilter, Filter>();
    }

    private sealed class Filter(Knobs knobs, IPresence presence) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMqttServer(server =>
            {
                knobs.Server = server;
                // Drop every connection when the app stops, as a real server going down would; otherwise
                // shutdown waits for the open WebSocket requests until its timeout.
                app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() =>
                {
                    foreach (var clientId in knobs.ClientUsers.Keys)
                        _ = server.DisconnectClientAsync(clientId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.ServerShuttingDown });
                });
                server.ValidatingConnectionAsync += e =>
                {
                    if (string.IsNullOrEmpty(e.UserName)) e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
                    return Task.CompletedTask;
                };
                server.ClientConnectedAsync += e =>
                {
                    knobs.ClientUsers[e.ClientId] = e.UserName;
                    presence.Connected(AppOf(e.ClientId), e.UserName, e.ClientId);
                    return Task.CompletedTask;
                };
                server.ClientDisconnectedAsync += e =>
                {
                    if (knobs.ClientUsers.TryRemove(e.ClientId, out var user)) presence.Disconnected(AppOf(e.ClientId), user, e.ClientId);
                    return Task.CompletedTask;
                };
                server.InterceptingSubscriptionAsync += e =>
                {
                    var topic = e.TopicFilter.Topic;
                    var allowed = !knobs.RefusedFilters.ContainsKey(topic)
                        && (topic.Contains($"/user/all/{e.UserName}/#", StringComparison.Ordinal) || topic.Contains("/channel/", StringComparison.Ordinal))
                        && topic.EndsWith("/#", StringComparison.Ordinal);
                    if (!allowed) e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
                    return Task.CompletedTask;
                };
                server.InterceptingPublishAsync += e =>
                {
                    // Clients never publish (PROTOCOL §6).
                    if (e.ClientId is not null && knobs.ClientUsers.ContainsKey(e.ClientId)) e.ProcessPublish = false;
                    return Task.CompletedTask;
                };
            });
#pragma warning disable CS0618 // the stand-in keeps to the simplest wiring
            app.UseMqttEndpoint("/ws");
#pragma warning restore CS0618
            next(app);
        };

        private static string AppOf(string clientId) => clientId.Split("::")[0];
    }

    private sealed class BrokerSink(Knobs knobs) : IEventSink
    {
        public async ValueTask DeliverAsync(ChatEvent chatEvent, CancellationToken cancellationToken = default)
        {
            if (knobs.Server is not { } server) return;
            var message = new MqttApplicationMessageBuilder().WithTopic(chatEvent.Topic).WithPayload(chatEvent.PayloadBytes).Build();
            await server.InjectApplicationMessage(new InjectedMqttApplicationMessage(message) { SenderClientId = "server" }, cancellationToken);
            foreach (var cut in chatEvent.CutsAfter)
            {
                var prefix = $"{ChatEvent.TopicPrefix(chatEvent.AppId)}/channel/{cut.ChannelType}/{cut.ChannelId}";
                var topics = cut.ManagerOnly ? new[] { prefix + "/manager/#" } : new[] { prefix + "/all/#", prefix + "/manager/#" };
                foreach (var (clientId, user) in knobs.ClientUsers)
                    if (user == cut.UserId) await server.UnsubscribeAsync(clientId, topics);
            }
        }
    }
}
