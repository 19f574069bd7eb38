namespace GitpleLive.Server.Services;

/// <summary>
/// Who makes a change: an SDK user (permission rules apply) or the app's backend through the
/// Platform API (trusted; no member/manager checks).
/// </summary>
public readonly record struct Actor(string? UserId)
{
    public static readonly Actor Platform = new(null);
    public static Actor User(string userId) => new(userId);
    public bool IsPlatform => UserId is null;
}
