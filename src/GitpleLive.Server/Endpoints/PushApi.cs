using GitpleLive.Server.Push;
using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>PROTOCOL §10: push providers (Platform API) and each member's push preference (both APIs).</summary>
public static class PushApi
{
    /// <summary>Secrets and keys are a few KiB; the service account key is the largest.</summary>
    private const int MaxSecretLength = 16 * 1024;

    /// <summary>GET / PUT <c>/v1/app/push</c>.</summary>
    public static RouteGroupBuilder MapPushSettings(this RouteGroupBuilder platform)
    {
        platform.MapGet("/app/push", async (ChatCaller caller, PushSettingsService push, CancellationToken cancellationToken) =>
            TypedResults.Ok(await push.ShowAsync(caller, cancellationToken)));

        platform.MapPut("/app/push", async (HttpContext http, ChatCaller caller, PushSettingsService push,
            CancellationToken cancellationToken) =>
        {
            caller.RequirePlatform();
            var body = await http.BodyAsync();
            var change = new PushSettingsChange(
                Provider(body, "fcm", o => new FcmPatch(o.OptionalString("project_id", 256), o.OptionalRawText("service_account_json",
                    MaxSecretLength), o.OptionalString("endpoint", Limits.UrlLength, allowEmpty: true),
                    o.OptionalString("token_endpoint", Limits.UrlLength, allowEmpty: true))),
                Provider(body, "apns", o => new ApnsPatch(o.OptionalString("team_id", 256), o.OptionalString("key_id", 256),
                    o.OptionalString("bundle_id", 256), o.OptionalString("p8_pem", MaxSecretLength), o.OptionalBool("production"),
                    o.OptionalString("endpoint", Limits.UrlLength, allowEmpty: true))),
                Provider(body, "webhook", o => new WebhookPatch(o.OptionalString("url", Limits.UrlLength),
                    o.OptionalString("secret", 256))));
            return TypedResults.Ok(await push.UpdateAsync(caller, change, cancellationToken));
        });
        return platform;
    }

    /// <summary>A provider's block: absent = unchanged, <c>null</c> = remove it, an object = its new or changed settings.</summary>
    private static ProviderChange<T>? Provider<T>(JsonBody body, string name, Func<JsonBody, T> read) where T : class
    {
        if (body.IsNull(name)) return new ProviderChange<T>(null);
        var o = body.OptionalObject(name);
        return o is null ? null : new ProviderChange<T>(JsonBody.Entry(name, () => read(o)));
    }

    /// <summary>GET / PUT <c>/group/channels/{id}/push</c> on both APIs (the Platform API names the member: <c>user_id</c>).</summary>
    public static RouteGroupBuilder MapPushPreference(this RouteGroupBuilder channels)
    {
        channels.MapGet("/{channelId}/push", async (string channelId, HttpContext http, ChatCaller caller, PushPreferenceService push,
            CancellationToken cancellationToken) =>
        {
            var userId = http.Request.Query["user_id"].FirstOrDefault() is { Length: > 0 } u ? Id("user_id", u) : null;
            return TypedResults.Ok(await push.GetAsync(caller, Id("channel_id", channelId), userId, cancellationToken));
        });

        channels.MapPut("/{channelId}/push", async (string channelId, HttpContext http, ChatCaller caller, PushPreferenceService push,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            var value = body.RequiredString("push", 16);
            var userId = body.OptionalId("user_id");
            return TypedResults.Ok(await push.SetAsync(caller, Id("channel_id", channelId), userId, value, cancellationToken));
        });
        return channels;
    }
}
