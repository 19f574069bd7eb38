using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace GitpleLive.Server.Operations;

/// <summary>
/// OpenTelemetry: the server's meter (<see cref="ChatMetrics"/>), ASP.NET Core's and the runtime's metrics,
/// scraped by Prometheus at <c>/metrics</c>; with <c>GitpleLive:Otlp:Endpoint</c> set (or the standard
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), metrics and ASP.NET Core traces are also pushed over OTLP.
/// </summary>
public static class TelemetrySetup
{
    public const string OtlpEndpointKey = "GitpleLive:Otlp:Endpoint";
    public const string OtlpProtocolKey = "GitpleLive:Otlp:Protocol";
    public const string MetricsPath = "/metrics";

    private static readonly string[] AspNetCoreMeters =
        ["Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections",
         "Microsoft.AspNetCore.Routing", "Microsoft.AspNetCore.Diagnostics", "Microsoft.AspNetCore.RateLimiting"];

    public static WebApplicationBuilder AddChatTelemetry(this WebApplicationBuilder builder)
    {
        var endpoint = builder.Configuration[OtlpEndpointKey];
        var otlp = !string.IsNullOrWhiteSpace(endpoint)
            || !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var protocol = string.Equals(builder.Configuration[OtlpProtocolKey], "http/protobuf", StringComparison.OrdinalIgnoreCase)
            ? OtlpExportProtocol.HttpProtobuf
            : OtlpExportProtocol.Grpc;
        void Otlp(OtlpExporterOptions o)
        {
            if (!string.IsNullOrWhiteSpace(endpoint)) o.Endpoint = new Uri(endpoint);
            o.Protocol = protocol;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("gitplelive-server", serviceInstanceId: Environment.MachineName))
            .WithMetrics(m =>
            {
                // ASP.NET Core's own meters (http.server.request.duration, kestrel.*), without the instrumentation package's
                // per-request middleware (it only tags unhandled exceptions, and the error middleware leaves none).
                m.AddMeter(ChatMetrics.MeterName).AddMeter(AspNetCoreMeters).AddRuntimeInstrumentation().AddPrometheusExporter();
                if (otlp) m.AddOtlpExporter(Otlp);
            });
        // Traces only go somewhere over OTLP; without it, requests are not traced at all.
        if (otlp)
            telemetry.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = http => http.Request.Path != MetricsPath)
                .AddOtlpExporter(Otlp));
        builder.Services.AddHostedService<MetricsSources>();
        return builder;
    }

    public static void MapChatMetrics(this WebApplication app) =>
        app.MapPrometheusScrapingEndpoint(MetricsPath).WithMetadata(new HttpMethodMetadata(["GET"]));

    /// <summary>Lets the gauges read this server's connections and subscriptions while it runs.</summary>
    private sealed class MetricsSources(ConnectionDirectory directory, SubscriptionRegistry registry) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            ChatMetrics.AddNode(this, directory, registry);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            ChatMetrics.RemoveNode(this);
            return Task.CompletedTask;
        }
    }
}
