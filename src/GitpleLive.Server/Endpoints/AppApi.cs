using GitpleLive.Server.RateLimiting;
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
            // Read in this order, with the mode checked before the words are read: that order decides which error answers first.
            var members = body.OptionalLong("max_members_per_channel", 2, 100_000);
            var managers = body.OptionalLong("max_managers_per_channel", 1, 1000);
            var fileSize = body.OptionalLong("max_file_size", 1, 10L * 1024 * 1024 * 1024);
            var metaKeys = body.OptionalLong("max_meta_keys", 1, 1000);
            var tokenless = body.OptionalBool("allow_tokenless");
            var name = body.OptionalString("name", 128);
            var profanityMode = body.OptionalString("profanity_mode", 8);
            AppService.CheckProfanityMode(profanityMode);
            var profanityWords = body.Has("profanity_words") ? body.RequiredKeyList("profanity_words") : null;
            var rateLimits = RateLimitsOf(body);
            var participants = body.OptionalLong("max_participants_per_open_channel", 1, 1_000_000);
            var change = new AppSettingsChange(members, managers, fileSize, metaKeys, tokenless, name, profanityMode, profanityWords,
                rateLimits, participants);
            return TypedResults.Ok(AppSettings.From(await apps.UpdateSettingsAsync(caller, change, cancellationToken)));
        });

        // The new key is answered once, here; GET /v1/app never shows it.
        platform.MapPost("/app/api_key", async (ChatCaller caller, AppService apps, CancellationToken cancellationToken) =>
            TypedResults.Ok(new ApiKeyDto(caller.AppId, await apps.RotateApiKeyAsync(caller, cancellationToken))));

        platform.MapDelete("/app", async (ChatCaller caller, AppService apps, IFileStore files, CancellationToken cancellationToken) =>
        {
            foreach (var key in await apps.DeleteAsync(caller, cancellationToken))
                await files.DeleteAsync(key, CancellationToken.None);
            return Done();
        });

        return platform;
    }

    /// <summary>
    /// <c>rate_limits</c>: an object of overrides by name (<c>sends_per_user</c>, …), each a count per window from 1 to
    /// 1,000,000, or null to return to the server default.
    /// </summary>
    private static Dictionary<string, int?>? RateLimitsOf(JsonBody body)
    {
        if (!body.Has("rate_limits")) return null;
        var limits = body.Element("rate_limits");
        if (limits.ValueKind != System.Text.Json.JsonValueKind.Object) throw ApiException.BadRequest("rate_limits must be an object");
        var change = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (var p in limits.EnumerateObject())
        {
            if (!RateLimitOptions.Names.Contains(p.Name))
                throw ApiException.BadRequest(
                    $"rate_limits.{p.Name} is not a rate limit (use {string.Join(", ", RateLimitOptions.Names)})");
            if (p.Value.ValueKind == System.Text.Json.JsonValueKind.Null) change[p.Name] = null;
            else if (p.Value.ValueKind == System.Text.Json.JsonValueKind.Number && p.Value.TryGetInt32(out var n)
                && n is >= 1 and <= 1_000_000)
                change[p.Name] = n;
            else throw ApiException.BadRequest($"rate_limits.{p.Name} must be an integer from 1 to 1000000, or null");
        }
        return change;
    }
}

/// <summary>A rotated app API key.</summary>
public sealed record ApiKeyDto(string AppId, string ApiKey);
