using GitpleLive.Server.Diagnostics;
using GitpleLive.Server.OpenApi;
using GitpleLive.Server.Operations;
using GitpleLive.Server.Push;
using GitpleLive.Server.OperatorConsole;
using GitpleLive.Server.Webhooks;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GitpleLive.Server.Hosting;

/// <summary>Builds the server: the REST APIs, the realtime broker at <c>/ws</c>, storage and files.</summary>
public static class ChatServer
{
    /// <summary>
    /// Builds the app from command-line arguments and configuration. <paramref name="configure"/>
    /// lets hosts (tests, benchmarks) add configuration and replace services: it runs before the server
    /// registers its own, and every seam is registered with <c>TryAdd</c>, so a service the hook registered
    /// (an <c>IFileStore</c>, <c>IPresence</c>, <c>IEventPublisher</c>, …) is the one used. Event sinks are
    /// many: one the hook adds is delivered to alongside the server's own, ahead of them.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.UseKestrelHttpsConfiguration();
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls("http://localhost:5080");

        // First, so that what the host registers wins over the TryAdd registrations below.
        configure?.Invoke(builder);
        builder.Services.AddChatServerOptions();
        builder.Services.AddChatStorage();
        builder.Services.AddChatServices();
        builder.Services.AddChatWebhooks();
        builder.Services.AddChatApiJson();
        builder.Services.AddChatRealtime();
        builder.Services.AddChatDiagnostics();
        builder.Services.AddCors();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddChatApiReference();
        builder.Services.AddChatHealthChecks();
        builder.Services.AddChatPush();
        builder.Services.AddChatConsole();
        builder.AddChatTelemetry();
        builder.AddChatLogging();

        return BuildApp(builder);
    }

    /// <summary>
    /// Binds <see cref="ChatServerOptions"/> once, from the final configuration, when first asked for: settings
    /// a host adds before the app is built count, and the env fallback for the default app lives here only.
    /// Services take the bound <see cref="ChatServerOptions"/> itself; web server limits follow it too.
    /// </summary>
    private static IServiceCollection AddChatServerOptions(this IServiceCollection services)
    {
        services.AddOptions<ChatServerOptions>()
            .BindConfiguration(ChatServerOptions.Section)
            .PostConfigure(o =>
            {
                // README: GITPLELIVE_APP_ID / GITPLELIVE_API_KEY pin the default app when configuration does not.
                o.DefaultAppId ??= Environment.GetEnvironmentVariable("GITPLELIVE_APP_ID");
                o.DefaultApiKey ??= Environment.GetEnvironmentVariable("GITPLELIVE_API_KEY");
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChatServerOptions>, ChatServerOptionsValidator>());
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ChatServerOptions>>().Value);

        // X-Forwarded-For/-Proto are believed only from loopback and the configured proxies and networks.
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ChatServerOptions>>((forwarded, options) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = null;
            foreach (var proxy in options.Value.KnownProxies) forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            foreach (var network in options.Value.KnownNetworks) forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ChatServerOptions>>((kestrel, options) =>
            kestrel.Limits.MaxRequestBodySize = options.Value.MaxUploadSize);
        // The form reader's own per-part cap (128 MB by default) would refuse large files as malformed
        // (400/1001) before the body limit (413/1012) or the app's file limit (1012) could.
        services.AddOptions<FormOptions>().Configure<IOptions<ChatServerOptions>>((form, options) =>
            form.MultipartBodyLengthLimit = options.Value.MaxUploadSize);
        return services;
    }

    private static WebApplication BuildApp(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseForwardedHeaders();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseCors(cors => cors
            .SetIsOriginAllowed(_ => true)
            .WithHeaders("APP_ID", "USER_ID", "APP_API_KEY", "Authorization", "Content-Type")
            .WithMethods("GET", "POST", "PUT", "DELETE")
            .WithExposedHeaders("x-forwarded-for"));
        // Only the realtime path upgrades: elsewhere the WebSocket middleware's per-request handshake feature is waste.
        var realtimePath = app.Services.GetRequiredService<Realtime.RealtimeOptions>().Path;
        app.UseWhen(http => http.Request.Path.StartsWithSegments(realtimePath, StringComparison.Ordinal), ws => ws.UseWebSockets());
        app.MapChatRealtime();
        Endpoints.EndpointMap.MapAll(app);
        app.MapChatDiagnostics();
        app.MapChatApiReference();
        app.MapChatHealthChecks();
        app.MapChatMetrics();
        app.MapConsole();
        return app;
    }

    /// <summary>Migrates the store and makes sure the default app exists. Call before running.</summary>
    public static async Task PrepareAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        var options = app.Services.GetRequiredService<ChatServerOptions>();
        // Connects to Redis when configured: an unreachable one is a start-up error, not a failure of the first request.
        app.Services.GetRequiredService<Events.IEventPublisher>();
        Directory.CreateDirectory(options.ResolvedFilesDirectory);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var factory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<ChatDbContext>>();
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
            if (db.Database.IsSqlite())
                // WAL lets readers run beside the one writer; the mode is kept in the file.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        }
        var apps = app.Services.GetRequiredService<AppService>();
        var created = await apps.EnsureDefaultAppAsync(cancellationToken);
        if (created is not null)
        {
            // The key goes to the operator's terminal only, never through the logger (logs are shipped and kept).
            app.Logger.LogWarning("Created app {AppId}; its APP_API_KEY is printed on standard output once", created.AppId);
            Console.WriteLine($"APP_ID={created.AppId}");
            Console.WriteLine($"APP_API_KEY={created.ApiKey}");
        }
        LoggingSetup.LogStartupWhenStarted(app, (await apps.ListAsync(cancellationToken)).Count);
    }
}
