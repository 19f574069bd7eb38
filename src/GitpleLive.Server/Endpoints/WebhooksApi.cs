using System.Text.Json;
using GitpleLive.Server.Webhooks;
using static GitpleLive.Server.Endpoints.EndpointMap;

namespace GitpleLive.Server.Endpoints;

/// <summary>PROTOCOL §10: the calling app's webhooks (Platform API only): settings, the delivery log, a ping.</summary>
public static class WebhooksApi
{
    public static RouteGroupBuilder MapPlatformWebhooks(this RouteGroupBuilder platform)
    {
        platform.MapGet("/app/webhooks", async (ChatCaller caller, WebhookService webhooks, CancellationToken cancellationToken) =>
            TypedResults.Ok(WebhookSettingsDto.From(await webhooks.GetAsync(caller, cancellationToken))));

        platform.MapPut("/app/webhooks", async (HttpContext http, ChatCaller caller, WebhookService webhooks,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            var url = CheckUrl(body.RequiredString("url", Limits.UrlLength));
            var secret = body.OptionalString("secret", WebhookSettings.MaxSecretLength);
            if (secret is not null && (secret.Length < WebhookSettings.MinSecretLength || secret.Any(char.IsControl)))
                throw ApiException.BadRequest(
                    $"secret must be {WebhookSettings.MinSecretLength} to {WebhookSettings.MaxSecretLength} printable characters");
            var categories = body.Has("categories") ? CheckCategories(body.Element("categories")) : null;
            return TypedResults.Ok(WebhookSettingsDto.From(await webhooks.SetAsync(caller, url, secret, categories, cancellationToken)));
        });

        platform.MapDelete("/app/webhooks", async (ChatCaller caller, WebhookService webhooks, CancellationToken cancellationToken) =>
        {
            await webhooks.DeleteAsync(caller, cancellationToken);
            return Done();
        });

        platform.MapGet("/app/webhooks/deliveries", async (HttpContext http, ChatCaller caller, WebhookService webhooks,
            CancellationToken cancellationToken) =>
        {
            var rows = await webhooks.DeliveriesAsync(caller, http.Request.Int("limit", 20, 1, 100), cancellationToken);
            return TypedResults.Ok(new WebhookDeliveryPage(rows.Select(WebhookDeliveryDto.From).ToList()));
        });

        platform.MapPost("/app/webhooks/ping", async (ChatCaller caller, WebhookService webhooks, CancellationToken cancellationToken) =>
            TypedResults.Ok(new WebhookPingDto(await webhooks.PingAsync(caller, cancellationToken))));

        return platform;
    }

    private static string CheckUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Host.Length == 0)
            throw ApiException.BadRequest("url must be an absolute http:// or https:// URL");
        if (uri.UserInfo.Length > 0) throw ApiException.BadRequest("url must not carry a user name or password");
        return url;
    }

    private static IReadOnlyList<string> CheckCategories(JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Array) throw ApiException.BadRequest("categories must be an array of strings");
        var list = new List<string>();
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw ApiException.BadRequest("categories must be an array of strings");
            var category = item.GetString()!;
            if (category != WebhookCategories.All && !WebhookCategories.Known.Contains(category))
                throw ApiException.BadRequest(
                    $"categories: '{(category.Length > 64 ? category[..64] + "…" : category)}' is not a webhook category "
                    + $"(use \"*\" or some of {string.Join(", ", WebhookCategories.Known)})");
            if (!list.Contains(category)) list.Add(category);
        }
        if (list.Count == 0) throw ApiException.BadRequest("categories must not be empty (DELETE /v1/app/webhooks turns webhooks off)");
        return list.Contains(WebhookCategories.All) ? [WebhookCategories.All] : list;
    }
}

/// <summary>An app's webhook settings as the API shows them: the secret masked; no <c>url</c> when webhooks are off.</summary>
public sealed record WebhookSettingsDto(string? Url, string? Secret, IReadOnlyList<string> Categories, long? UpdatedAt)
{
    public static WebhookSettingsDto From(WebhookSettings? s) =>
        s is null ? new(null, null, [], null) : new(s.Url, s.MaskedSecret, s.Categories, s.UpdatedAt);
}

/// <summary>One delivery in the log.</summary>
public sealed record WebhookDeliveryDto(string DeliveryId, string Category, string Status, int Attempts, string? LastError,
    int? LastStatus, long CreatedAt, long? LastAttemptAt, long? NextAttemptAt, long? FinishedAt)
{
    public static WebhookDeliveryDto From(WebhookDeliveryRow r) => new(r.DeliveryId, r.Category,
        r.Status switch { WebhookDeliveryRow.Delivered => "delivered", WebhookDeliveryRow.Failed => "failed", _ => "pending" },
        r.Attempts, r.LastError, r.LastStatus, r.CreatedAt, r.LastAttemptAt,
        r.Status == WebhookDeliveryRow.Pending && r.NextAttemptAt > 0 ? r.NextAttemptAt : null, r.FinishedAt);
}

/// <summary><c>{ deliveries: [...] }</c>, newest first.</summary>
public sealed record WebhookDeliveryPage(IReadOnlyList<WebhookDeliveryDto> Deliveries);

/// <summary>The queued ping's delivery id.</summary>
public sealed record WebhookPingDto(string DeliveryId);
