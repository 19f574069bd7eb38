using GitpleLive.Server.Api;
using GitpleLive.Server.Events;
using GitpleLive.Server.Realtime;
using GitpleLive.Server.Services;
using GitpleLive.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace GitpleLive.Server.Hosting;

/// <summary>Builds the server: the REST APIs, the realtime broker at <c>/ws</c>, storage and files.</summary>
public static class ChatServer
{
    /// <summary>
    /// Builds the app from command-line arguments and configuration. <paramref name="configure"/>
    /// lets hosts (tests, benchmarks) add or replace services before the app is built.
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.WebHost.UseKestrelHttpsConfiguration();
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
            builder.WebHost.UseUrls("http://localhost:5080");

        var options = new ChatServerOptions();
        builder.Configuration.GetSection(ChatServerOptions.Section).Bind(options);
        options.DefaultAppId ??= Environment.GetEnvironmentVariable("GITPLELIVE_APP_ID");
        options.DefaultApiKey ??= Environment.GetEnvironmentVariable("GITPLELIVE_API_KEY");
        configure?.Invoke(builder);
        // Hosts may have changed configuration in configure; bind once more so they win.
        builder.Configuration.GetSection(ChatServerOptions.Section).Bind(options);
        builder.Services.AddSingleton(options);

        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxUploadSize);
        // The form reader's own per-part cap (128 MB by default) would refuse large files as malformed
        // (400/1001) before the body limit (413/1012) or the app's file limit (1012) could.
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(f => f.MultipartBodyLengthLimit = options.MaxUploadSize);
        builder.Services.AddChatStorage(options);
        builder.Services.AddChatServices(options);
        builder.Services.AddChatApiJson();
        builder.Services.AddChatRealtime(options);
        builder.Services.AddCors();
        builder.Services.AddHttpContextAccessor();

        return BuildApp(builder);
    }

    private static WebApplication BuildApp(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.UseCors(cors => cors
            .SetIsOriginAllowed(_ => true)
            .WithHeaders("APP_ID", "USER_ID", "APP_API_KEY", "Authorization", "Content-Type")
            .WithMethods("GET", "POST", "PUT", "DELETE")
            .WithExposedHeaders("x-forwarded-for"));
        app.UseWebSockets();
        app.MapChatRealtime();
        Endpoints.EndpointMap.MapAll(app);
        return app;
    }

    /// <summary>Migrates the store and makes sure the default app exists. Call before running.</summary>
    public static async Task PrepareAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        var options = app.Services.GetRequiredService<ChatServerOptions>();
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
            app.Logger.LogWarning("Created app. APP_ID={AppId} APP_API_KEY={ApiKey}", created.AppId, created.ApiKey);
            Console.WriteLine($"APP_ID={created.AppId}");
            Console.WriteLine($"APP_API_KEY={created.ApiKey}");
        }
    }
}
