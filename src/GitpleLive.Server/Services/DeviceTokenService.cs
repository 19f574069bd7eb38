namespace GitpleLive.Server.Services;

/// <summary>One registered push token: who it belongs to, on which platform, from which client.</summary>
public sealed record DeviceToken(string UserId, string Token, string Platform, string DeviceId, string ClientId, long UpdatedAt);

/// <summary>
/// Push tokens of the users' devices (PROTOCOL §9): <c>POST /v1/sdk/users/device_token</c> registers the token of the
/// device named by the client id, <c>DELETE</c> forgets it. One row per device; a token belongs to one user, so
/// registering it for another user (a new login on the phone) replaces the old row. Deleting a user forgets theirs.
/// </summary>
public sealed class DeviceTokenService(ChatStore store, TimeProvider time)
{
    /// <summary>The parts of an SDK client id <c>{app}::{user}::{ver}::{ms}::{ip}::{platform}::{uuid}</c> this needs.</summary>
    /// <remarks>The ip may be IPv6 and contain <c>::</c>, so the platform and uuid are read from the end.</remarks>
    public static (string? UserId, string Platform, string DeviceId) ParseClientId(string clientId)
    {
        var parts = clientId.Split("::");
        if (parts.Length < 7) return (null, "unknown", clientId);
        var platform = parts[^2].ToLowerInvariant() is var p and ("android" or "ios" or "web") ? p : "unknown";
        var device = parts[^1].Length > 0 ? parts[^1] : clientId;
        return (parts[1], platform, device);
    }

    public Task RegisterAsync(ChatCaller caller, string clientId, string token, CancellationToken cancellationToken = default)
    {
        var (idUser, platform, deviceId) = ParseClientId(clientId);
        if (idUser is not null && idUser != caller.RequireUserId())
            throw ApiException.BadRequest($"clientId names user '{idUser}', not the caller");
        return StoreAsync(caller, clientId, deviceId, platform, token, cancellationToken);
    }

    /// <summary>
    /// PROTOCOL §10 <c>{ token, platform }</c> (our SDK, no MQTT client id): the token itself names the device.
    /// </summary>
    public Task RegisterTokenAsync(ChatCaller caller, string token, string platform, CancellationToken cancellationToken = default)
    {
        var deviceId = "token:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(token)));
        return StoreAsync(caller, "", deviceId, platform, token, cancellationToken);
    }

    /// <summary>Forgets one of the caller's tokens (DELETE <c>{ token }</c>); an unknown token is not an error.</summary>
    public Task UnregisterTokenAsync(ChatCaller caller, string token, CancellationToken cancellationToken = default)
    {
        var userId = caller.RequireUserId();
        var appId = caller.AppId;
        return store.WriteAsync(db => db.DeviceTokens
            .Where(d => d.AppId == appId && d.UserId == userId && d.Token == token)
            .ExecuteDeleteAsync(cancellationToken), cancellationToken);
    }

    private async Task StoreAsync(ChatCaller caller, string clientId, string deviceId, string platform, string token,
        CancellationToken cancellationToken)
    {
        var userId = caller.RequireUserId();
        var appId = caller.AppId;
        await store.WriteAsync(async db =>
        {
            var now = time.NowMs();
            // The token moves here from any other device or user; this device's previous token is replaced.
            var stale = await db.DeviceTokens
                .Where(d => d.AppId == appId && (d.Token == token || d.DeviceId == deviceId))
                .ToListAsync(cancellationToken);
            db.DeviceTokens.RemoveRange(stale);
            await db.SaveChangesAsync(cancellationToken);
            db.DeviceTokens.Add(new DeviceTokenRow
            {
                AppId = appId, DeviceId = deviceId, UserId = userId, Token = token, Platform = platform, ClientId = clientId,
                UpdatedAt = now,
            });
        }, cancellationToken);
    }

    /// <summary>Forgets the caller's token on the device the client id names (any client id of that device will do).</summary>
    public Task UnregisterAsync(ChatCaller caller, string clientId, CancellationToken cancellationToken = default)
    {
        var userId = caller.RequireUserId();
        var appId = caller.AppId;
        var (_, _, deviceId) = ParseClientId(clientId);
        return store.WriteAsync(db => db.DeviceTokens
            .Where(d => d.AppId == appId && d.UserId == userId && d.DeviceId == deviceId)
            .ExecuteDeleteAsync(cancellationToken), cancellationToken);
    }

    /// <summary>The tokens of a user's devices, newest first (for push delivery).</summary>
    public Task<List<DeviceToken>> ForUserAsync(string appId, string userId, CancellationToken cancellationToken = default) =>
        store.ReadAsync(db => db.DeviceTokens
            .Where(d => d.AppId == appId && d.UserId == userId)
            .OrderByDescending(d => d.UpdatedAt)
            .Select(d => new DeviceToken(d.UserId, d.Token, d.Platform, d.DeviceId, d.ClientId, d.UpdatedAt))
            .ToListAsync(cancellationToken), cancellationToken);

    /// <summary>The tokens of the devices of <paramref name="userIds"/> (for push delivery to many users at once).</summary>
    public async Task<List<DeviceToken>> ForUsersAsync(string appId, IReadOnlyCollection<string> userIds,
        CancellationToken cancellationToken = default)
    {
        var all = new List<DeviceToken>();
        // In slices, so the IN list stays within what every provider takes in one statement.
        foreach (var slice in userIds.Chunk(500))
            all.AddRange(await store.ReadAsync(db => db.DeviceTokens
                .Where(d => d.AppId == appId && slice.Contains(d.UserId))
                .Select(d => new DeviceToken(d.UserId, d.Token, d.Platform, d.DeviceId, d.ClientId, d.UpdatedAt))
                .ToListAsync(cancellationToken), cancellationToken));
        return all;
    }

    /// <summary>Forgets tokens a push provider called invalid (unregistered, a bad device token).</summary>
    public Task ForgetTokensAsync(string appId, IReadOnlyCollection<string> tokens, CancellationToken cancellationToken = default) =>
        tokens.Count == 0 ? Task.CompletedTask : store.WriteAsync(db => db.DeviceTokens
            .Where(d => d.AppId == appId && tokens.Contains(d.Token))
            .ExecuteDeleteAsync(cancellationToken), cancellationToken);
}
