using GitpleLive.Server.Auth;
using GitpleLive.Server.Services;
using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>PROTOCOL §8: the calling app's settings.</summary>
public static class AppApi
{
    public static RouteGroupBuilder MapApp(this RouteGroupBuilder platform)
    {
        platform.MapGet("/app", (ChatCaller caller) => TypedResults.Ok(AppSettings.From(caller.App)));

        platform.MapPut("/app", async (HttpContext http, ChatCaller caller, AppService apps, CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            var change = new AppSettingsChange(
                MaxMembersPerChannel: body.OptionalLong("max_members_per_channel", 2, 100_000),
                MaxManagersPerChannel: body.OptionalLong("max_managers_per_channel", 1, 1000),
                MaxFileSize: body.OptionalLong("max_file_size", 1, 10L * 1024 * 1024 * 1024),
                MaxMetaKeys: body.OptionalLong("max_meta_keys", 1, 1000),
                AllowTokenless: body.OptionalBool("allow_tokenless"),
                Name: body.OptionalString("name", 128),
                ProfanityMode: body.OptionalString("profanity_mode", 8),
                ProfanityWords: body.Has("profanity_words") ? body.RequiredKeyList("profanity_words") : null);
            return TypedResults.Ok(AppSettings.From(await apps.UpdateSettingsAsync(caller, change, cancellationToken)));
        });

        return platform;
    }
}
