using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace GitpleLive.Server.Operations;

/// <summary>
/// Liveness and readiness for load balancers and orchestrators: <c>/health/live</c> answers 200 while the process
/// serves requests; <c>/health/ready</c> checks the dependencies (the database, and Redis when configured) and
/// answers 503 naming the one that is down. <c>/health</c> itself stays as PROTOCOL §1 has it.
/// </summary>
public static class HealthSetup
{
    /// <summary>Tag of the checks <c>/health/ready</c> runs.</summary>
    public const string ReadyTag = "ready";
    public const string DatabaseCheck = "database";
    public const string RedisCheck = "redis";
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    public static IServiceCollection AddChatHealthChecks(this IServiceCollection services)
    {
        // The EF Core check resolves the context from a scope; the server itself uses the pooled factory.
        services.TryAddScoped<ChatDbContext>(sp => sp.GetRequiredService<IDbContextFactory<ChatDbContext>>().CreateDbContext());
        services.AddHealthChecks().AddDbContextCheck<ChatDbContext>(DatabaseCheck, HealthStatus.Unhealthy, [ReadyTag]);
        // Redis only when configured, and only if no one registered a "redis" check already (whichever ran first).
        services.AddOptions<HealthCheckServiceOptions>().PostConfigure<ChatServerOptions>((o, chat) =>
        {
            if (!chat.UsesRedis || o.Registrations.Any(r => r.Name == RedisCheck)) return;
            o.Registrations.Add(new HealthCheckRegistration(RedisCheck, sp => new RedisPingCheck(sp), HealthStatus.Unhealthy,
                [ReadyTag], CheckTimeout));
        });
        return services;
    }

    public static void MapChatHealthChecks(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .WithMetadata(new HttpMethodMetadata(["GET"]));
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains(ReadyTag),
            ResponseWriter = WriteAsync,
        }).WithMetadata(new HttpMethodMetadata(["GET"]));
    }

    /// <summary><c>{ "status": "unhealthy", "checks": { "redis": { "status": "unhealthy", "description": "…" } } }</c></summary>
    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        http.Response.Headers.CacheControl = "no-store";
        var body = new Dictionary<string, object>
        {
            ["status"] = Name(report.Status),
            ["checks"] = report.Entries.ToDictionary(e => e.Key, e => new Dictionary<string, object?>
            {
                ["status"] = Name(e.Value.Status),
                ["description"] = e.Value.Description ?? e.Value.Exception?.Message,
                ["duration_ms"] = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        };
        return JsonSerializer.SerializeAsync(http.Response.Body, body, cancellationToken: http.RequestAborted);
    }

    private static string Name(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };

    /// <summary>Pings Redis through the node's connection (building it, if the first connect failed at start).</summary>
    private sealed class RedisPingCheck(IServiceProvider services) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            // The connection's own view first: while it knows Redis is down there is nothing to wait for.
            if (!services.GetRequiredService<IRedisStatus>().IsAvailable)
                return HealthCheckResult.Unhealthy("redis is unreachable: events reach this node's clients only");
            try
            {
                var redis = services.GetRequiredService<RedisConnection>();
                var rtt = await redis.Multiplexer.GetDatabase().PingAsync().WaitAsync(PingTimeout, cancellationToken);
                return HealthCheckResult.Healthy($"ping {rtt.TotalMilliseconds:0.0} ms");
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy($"redis ping failed: {e.GetType().Name}", e);
            }
        }
    }
}
