using GitpleLive.Server.Auth;
using GitpleLive.Server.Storage;
using Microsoft.EntityFrameworkCore;

namespace GitpleLive.Server.Services;

/// <summary>Answers the realtime layer's questions from the store.</summary>
public sealed class ChatAccess(ChatStore store, AppService apps, UserService users, TokenService tokens) : IChatAccess
{
    public async ValueTask<AppInfo?> FindAppAsync(string appId, CancellationToken cancellationToken = default) =>
        await apps.FindAsync(appId, cancellationToken) is { } app ? new AppInfo(app.AppId, app.AllowTokenless) : null;

    public async ValueTask<bool> ValidateSdkTokenAsync(string appId, string userId, string token,
        CancellationToken cancellationToken = default)
    {
        var app = await apps.FindAsync(appId, cancellationToken);
        return app is not null && tokens.IsValidSdkToken(app, userId, token)
            && await users.ExistsAsync(ChatCaller.Platform(app), userId, cancellationToken);
    }

    public async ValueTask<bool> IsMemberAsync(string appId, string channelId, string userId,
        CancellationToken cancellationToken = default) =>
        await store.ReadAsync(db => db.Members.AnyAsync(m => m.AppId == appId && m.ChannelId == channelId && m.UserId == userId,
            cancellationToken), cancellationToken);

    public async ValueTask<bool> IsManagerAsync(string appId, string channelId, string userId,
        CancellationToken cancellationToken = default) =>
        await store.ReadAsync(db => db.Members.AnyAsync(m => m.AppId == appId && m.ChannelId == channelId && m.UserId == userId
            && m.IsManager, cancellationToken), cancellationToken);
}
