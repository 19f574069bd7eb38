namespace GitpleLive.Platform;

public sealed partial class PlatformClient
{
    // ---- push ---------------------------------------------------------------------------------

    /// <summary>The app's push providers (secrets are never shown).</summary>
    public Task<PushSettings> GetPushSettingsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "v1/app/push", null, PlatformPushJson.Default.PushSettings, cancellationToken);

    /// <summary>Sets, changes or removes push providers; fails with 1001 naming the field for a bad key or URL.</summary>
    public Task<PushSettings> UpdatePushSettingsAsync(PushSettingsUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var body = new Dictionary<string, object?>();
        if (update.Fcm is { } f)
            body["fcm"] = Body(("project_id", f.ProjectId), ("service_account_json", f.ServiceAccountJson), ("endpoint", f.Endpoint),
                ("token_endpoint", f.TokenEndpoint));
        if (update.Apns is { } a)
            body["apns"] = Body(("team_id", a.TeamId), ("key_id", a.KeyId), ("bundle_id", a.BundleId), ("p8_pem", a.P8Pem),
                ("production", a.Production), ("endpoint", a.Endpoint));
        if (update.Webhook is { } w) body["webhook"] = Body(("url", w.Url), ("secret", w.Secret));
        foreach (var name in update.Remove)
        {
            if (name is not ("fcm" or "apns" or "webhook"))
                throw new ArgumentException($"'{name}' is not a push provider (fcm, apns, webhook)", nameof(update));
            body[name] = null;
        }
        return SendAsync(HttpMethod.Put, "v1/app/push", body, PlatformPushJson.Default.PushSettings, cancellationToken);
    }

    /// <summary>
    /// Sets a member's push preference for a channel: <c>all</c>, <c>mentions</c> (mentions and replies in their threads) or
    /// <c>off</c>. Fails with 1008 when the user is not a member.
    /// </summary>
    public async Task SetPushPreferenceAsync(string channelId, string userId, string preference,
        CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Put, $"v1/group/channels/{Esc(channelId)}/push", Body(("user_id", userId), ("push", preference)),
            PlatformPushJson.Default.PushPreferenceAnswer, cancellationToken).ConfigureAwait(false);

    /// <summary>A member's push preference for a channel: <c>all</c>, <c>mentions</c> or <c>off</c>.</summary>
    public async Task<string> GetPushPreferenceAsync(string channelId, string userId, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, $"v1/group/channels/{Esc(channelId)}/push?user_id={Esc(userId)}", null,
            PlatformPushJson.Default.PushPreferenceAnswer, cancellationToken).ConfigureAwait(false)).Push;
}
