using Microsoft.Extensions.DependencyInjection.Extensions;
using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Diagnostics;

/// <summary>
/// Benchmark-only routes of the Platform API (<c>/v1/diagnostics</c>, app API key required), mapped only when
/// <c>GitpleLive:EnableDiagnostics</c> is on.
/// </summary>
public static class DiagnosticsEndpoints
{
    /// <summary>Registers the fan-out generator; it is only ever built by the routes <see cref="Map"/> maps.</summary>
    public static IServiceCollection AddChatDiagnostics(this IServiceCollection services)
    {
        services.TryAddSingleton<FanoutGenerator>();
        return services;
    }

    /// <summary>Maps the routes when the bound options enable them.</summary>
    public static WebApplication MapChatDiagnostics(this WebApplication app)
    {
        if (app.Services.GetRequiredService<ChatServerOptions>().EnableDiagnostics)
            Map(app.MapGroup("/v1/diagnostics").RequirePlatform());
        return app;
    }

    private static void Map(RouteGroupBuilder g)
    {
        // { channel_ids: [..], rate: events/s, seconds, content_bytes? }: starts the server-side generator.
        g.MapPost("/fanout", async (HttpContext http, ChatCaller caller, FanoutGenerator generator) =>
        {
            var body = await http.BodyAsync();
            var channels = body.OptionalIdList("channel_ids", 10_000) ?? throw ApiException.BadRequest("channel_ids is required");
            if (channels.Count == 0) throw ApiException.BadRequest("channel_ids must not be empty");
            var rate = (int)body.RequiredLong("rate", 1, 10_000_000);
            var seconds = body.RequiredLong("seconds", 1, 3600);
            var bytes = (int)(body.OptionalLong("content_bytes", 0, 64 * 1024) ?? 100);
            await generator.StartAsync(caller, channels, rate, TimeSpan.FromSeconds(seconds), bytes, http.RequestAborted);
            return TypedResults.Ok(generator.Current);
        });

        g.MapGet("/fanout", (FanoutGenerator generator) => TypedResults.Ok(generator.Current));

        g.MapDelete("/fanout", (FanoutGenerator generator) =>
        {
            generator.Stop();
            return TypedResults.Ok(generator.Current);
        });
    }
}
