using GitpleLive.Server.Api;
using GitpleLive.Server.Auth;
using GitpleLive.Server.Services;
using GitpleLive.Server.Storage;
using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>
/// PROTOCOL §8: the app backend's API (headers <c>APP_ID</c>, <c>APP_API_KEY</c>). Every change goes
/// through the same services as the SDK API, so it raises the same realtime events.
/// </summary>
public static class PlatformEndpoints
{
    public static void Map(RouteGroupBuilder g)
    {
        MapApp(g);
        MapUsers(g.MapGroup("/users"));
        MapChannels(g.MapGroup("/group/channels"));
    }

    private static void MapApp(RouteGroupBuilder g)
    {
        g.MapGet("/app", (HttpContext http) => Json(AppSettings.From(http.PlatformApp())));

        g.MapPut("/app", async (HttpContext http, AppService apps) =>
        {
            var body = await http.BodyAsync();
            var members = body.OptionalLong("max_members_per_channel", 2, 100_000);
            var managers = body.OptionalLong("max_managers_per_channel", 1, 1000);
            var fileSize = body.OptionalLong("max_file_size", 1, 10L * 1024 * 1024 * 1024);
            var metaKeys = body.OptionalLong("max_meta_keys", 1, 1000);
            var tokenless = body.OptionalBool("allow_tokenless");
            var name = body.OptionalString("name", 128);
            var profanityMode = body.OptionalString("profanity_mode", 8);
            if (profanityMode is not null && !ProfanityFilter.Modes.Contains(profanityMode))
                throw ApiException.BadRequest("profanity_mode must be one of off, block, mask");
            var profanityWords = body.Has("profanity_words") ? body.RequiredKeyList("profanity_words") : null;
            if (profanityWords is { Count: > ProfanityFilter.MaxWords })
                throw ApiException.BadRequest($"profanity_words must have at most {ProfanityFilter.MaxWords} entries");
            if (profanityWords is not null && profanityWords.Any(w => w.Contains('\n') || string.IsNullOrWhiteSpace(w)))
                throw ApiException.BadRequest("profanity_words entries must be non-blank single lines");
            var app = await apps.UpdateAsync(http.PlatformApp().AppId, a =>
            {
                if (members is { } m) a.MaxMembersPerChannel = (int)m;
                if (managers is { } mg) a.MaxManagersPerChannel = (int)mg;
                if (fileSize is { } f) a.MaxFileSize = f;
                if (metaKeys is { } k) a.MaxMetaKeys = (int)k;
                if (tokenless is { } t) a.AllowTokenless = t;
                if (name is not null) a.Name = name;
                if (profanityMode is not null) a.ProfanityMode = profanityMode;
                if (profanityWords is not null) a.ProfanityWords = profanityWords.Count == 0 ? null : string.Join('\n', profanityWords.Select(w => w.Trim()));
            }, http.RequestAborted);
            return Json(AppSettings.From(app));
        });
    }

    private static void MapUsers(RouteGroupBuilder g)
    {
        g.MapPost("", async (HttpContext http, UserService users) =>
        {
            var body = await http.BodyAsync();
            return Json(await users.CreateAsync(http.PlatformApp(), body.RequiredId("user_id"), body.RequiredString("name", Limits.NameLength),
                body.OptionalString("profile_url", Limits.UrlLength), body.OptionalMeta("meta"), http.RequestAborted));
        });

        g.MapGet("", async (HttpContext http, UserService users) =>
            Json(await users.ListAsync(http.PlatformApp().AppId, http.Request.Int("limit", 20, 1, 100), http.Request.String("next", 600),
                http.Request.String("user_ids", 100 * 130), http.RequestAborted)));

        g.MapGet("/{userId}", async (HttpContext http, string userId, UserService users) =>
            Json(await users.GetAsync(http.PlatformApp().AppId, Id("user_id", userId), http.RequestAborted)));

        g.MapPut("/{userId}", async (HttpContext http, string userId, UserService users) =>
        {
            var body = await http.BodyAsync();
            return Json(await users.UpdateAsync(http.PlatformApp(), Id("user_id", userId), body.OptionalString("name", Limits.NameLength),
                body.OptionalString("profile_url", Limits.UrlLength, allowEmpty: true), body.OptionalMeta("meta"), http.RequestAborted));
        });

        g.MapDelete("/{userId}", async (HttpContext http, string userId, UserService users) =>
        {
            await users.DeleteAsync(http.PlatformApp(), Id("user_id", userId), http.RequestAborted);
            return Json(Ok);
        });

        g.MapPost("/{userId}/token", async (HttpContext http, string userId, TokenService tokens) =>
        {
            var body = await http.BodyAsync();
            var t = await tokens.IssueSessionTokenAsync(http.PlatformApp(), Id("user_id", userId), body.OptionalLong("expires_at", 0, long.MaxValue), http.RequestAborted);
            return Json(new TokenDto(t.Token, t.ExpiresAt));
        });
    }

    private static void MapChannels(RouteGroupBuilder g)
    {
        g.MapPost("", async (HttpContext http, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            var request = new ChannelService.CreateRequest(
                body.RequiredId("channel_id"), body.RequiredString("name", Limits.NameLength), body.OptionalString("profile_url", Limits.UrlLength),
                body.OptionalIdList("members", 100_000) ?? [], body.OptionalBool("reuse") ?? false, body.OptionalMeta("meta"),
                body.OptionalIdList("managers", 1000));
            return Json(await channels.CreateAsync(http.PlatformApp(), Actor.Platform, request, http.RequestAborted));
        });

        g.MapGet("", async (HttpContext http, ChannelService channels) =>
            Json(await channels.ListAsync(http.PlatformApp().AppId, http.Request.String("user_id") is { } u ? Id("user_id", u) : null,
                ChannelArgs.ListQuery(http.Request), http.RequestAborted)));

        g.MapGet("/{channelId}", async (HttpContext http, string channelId, ChannelService channels) =>
            Json(await channels.GetAsync(http.PlatformApp().AppId, Id("channel_id", channelId), Actor.Platform, http.RequestAborted)));

        g.MapPut("/{channelId}", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            return Json(await channels.UpdateAsync(http.PlatformApp(), Id("channel_id", channelId), Actor.Platform, body.OptionalString("name", Limits.NameLength),
                body.OptionalString("profile_url", Limits.UrlLength, allowEmpty: true), body.OptionalMeta("meta"), http.RequestAborted));
        });

        g.MapDelete("/{channelId}", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            await channels.DeleteAsync(http.PlatformApp(), Id("channel_id", channelId), Actor.Platform, http.RequestAborted);
            return Json(Ok);
        });

        g.MapGet("/{channelId}/members", async (HttpContext http, string channelId, ChannelService channels) =>
            Json(await channels.MembersAsync(http.PlatformApp().AppId, Id("channel_id", channelId), Actor.Platform, http.RequestAborted)));

        g.MapPost("/{channelId}/members", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            var members = body.OptionalIdList("members", 1000) ?? throw ApiException.BadRequest("members is required");
            await channels.AddMembersAsync(http.PlatformApp(), Id("channel_id", channelId), members, http.RequestAborted);
            return Json(Ok);
        });

        g.MapDelete("/{channelId}/members", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            var members = body.OptionalIdList("members", 1000) ?? throw ApiException.BadRequest("members is required");
            await channels.RemoveMembersAsync(http.PlatformApp(), Id("channel_id", channelId), members, http.RequestAborted);
            return Json(Ok);
        });

        g.MapGet("/{channelId}/managers", async (HttpContext http, string channelId, ChannelService channels) =>
            Json(await channels.ManagersAsync(http.PlatformApp().AppId, Id("channel_id", channelId), Actor.Platform, http.RequestAborted)));

        g.MapPost("/{channelId}/managers", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            await channels.AddManagerAsync(http.PlatformApp(), Id("channel_id", channelId), Actor.Platform, body.RequiredId("manager"), http.RequestAborted);
            return Json(Ok);
        });

        g.MapDelete("/{channelId}/managers", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            await channels.RemoveManagerAsync(http.PlatformApp(), Id("channel_id", channelId), Actor.Platform, body.RequiredId("manager"), http.RequestAborted);
            return Json(Ok);
        });

        g.MapPut("/{channelId}/freeze", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            var freeze = body.OptionalBool("freeze") ?? throw ApiException.BadRequest("freeze is required");
            return Json(await channels.FreezeAsync(http.PlatformApp(), Id("channel_id", channelId), Actor.Platform, freeze, http.RequestAborted));
        });

        g.MapPost("/{channelId}/messages", async (HttpContext http, string channelId, MessageService messages) =>
        {
            var input = await MessageInput.ReadAsync(http, senderField: true);
            return Json(await messages.SendAsync(http.PlatformApp(), Id("channel_id", channelId), input.SenderId!, asPlatform: true, input.Content, input.File, input.Meta, http.RequestAborted));
        });

        g.MapPost("/{channelId}/messages/import", async (HttpContext http, string channelId, MessageService messages) =>
        {
            var body = await http.BodyAsync();
            var items = body.RequiredObjectList("messages", 1000).Select((m, i) => JsonBody.Entry($"messages[{i}]", () => new MessageService.ImportedMessage(
                m.RequiredId("user_id"), m.RequiredString("content", Limits.ContentLength),
                m.OptionalLong("created_at", 0, 253402300799999), m.OptionalMeta("meta")))).ToList();
            if (items.Count == 0) throw ApiException.BadRequest("messages must not be empty");
            var (first, last) = await messages.ImportAsync(http.PlatformApp(), Id("channel_id", channelId), items, http.RequestAborted);
            return Json(new { imported = items.Count, first_message_id = first, last_message_id = last });
        });

        g.MapGet("/{channelId}/messages", async (HttpContext http, string channelId, MessageService messages) =>
            Json(await messages.ListAsync(http.PlatformApp().AppId, Id("channel_id", channelId), Actor.Platform, ChannelArgs.MessageQuery(http.Request), http.RequestAborted)));

        g.MapDelete("/{channelId}/messages/{messageId}", async (HttpContext http, string channelId, string messageId, MessageService messages) =>
        {
            await messages.DeleteAsync(http.PlatformApp(), Id("channel_id", channelId), MessageId(messageId), Actor.Platform, http.RequestAborted);
            return Json(Ok);
        });

        g.MapPost("/{channelId}/ban", async (HttpContext http, string channelId, ChannelService channels) =>
        {
            var body = await http.BodyAsync();
            return Json(await channels.BanAsync(http.PlatformApp(), Id("channel_id", channelId), Actor.Platform, body.RequiredId("user_id"),
                ChannelArgs.BanSeconds(body), ChannelArgs.Reason(body), http.RequestAborted));
        });

        g.MapDelete("/{channelId}/ban/{userId}", async (HttpContext http, string channelId, string userId, ChannelService channels) =>
        {
            await channels.UnbanAsync(http.PlatformApp(), Id("channel_id", channelId), Actor.Platform, Id("user_id", userId), http.RequestAborted);
            return Json(Ok);
        });

        g.MapGet("/{channelId}/banned_list", async (HttpContext http, string channelId, ChannelService channels) =>
            Json(await channels.BannedAsync(http.PlatformApp().AppId, Id("channel_id", channelId), Actor.Platform, http.RequestAborted)));
    }
}

/// <summary>An app's settings as the Platform API shows them (never its secrets).</summary>
public sealed record AppSettings(string AppId, string Name, bool AllowTokenless, int MaxMembersPerChannel, int MaxManagersPerChannel, long MaxFileSize, int MaxMetaKeys,
    string ProfanityMode, IReadOnlyList<string> ProfanityWords)
{
    public static AppSettings From(AppRow a) => new(a.AppId, a.Name, a.AllowTokenless, a.MaxMembersPerChannel, a.MaxManagersPerChannel, a.MaxFileSize, a.MaxMetaKeys,
        a.ProfanityMode, a.ProfanityWords?.Split('\n') ?? []);
}
