namespace GitpleLive.Server.Auth;

/// <summary>
/// Who makes a call: the app, and either an SDK user (permission rules apply) or the app's backend
/// through the Platform API (trusted; no member or manager checks). Handlers take it as a parameter;
/// the auth filters (<see cref="AuthFilters"/>) put the authenticated caller in its place.
/// </summary>
public sealed class ChatCaller
{
    private readonly AppRow? _app;
    private readonly bool _isPlatform;

    private ChatCaller(AppRow? app, string? userId, bool isPlatform)
    {
        _app = app;
        UserId = userId;
        _isPlatform = isPlatform;
    }

    /// <summary>
    /// What binding gives a handler before an auth filter replaces it. Every service refuses it (4001),
    /// so a route mapped without a filter can never act as anyone.
    /// </summary>
    public static ChatCaller Unauthenticated { get; } = new(null, null, isPlatform: false);

    /// <summary>The app's backend (Platform API, or the server acting for the app).</summary>
    public static ChatCaller Platform(AppRow app) => new(app, null, isPlatform: true);

    /// <summary>An authenticated SDK user of the app.</summary>
    public static ChatCaller User(AppRow app, string userId) => new(app, userId, isPlatform: false);

    public bool IsAuthenticated => _app is not null;

    public AppRow App => _app ?? throw NotAuthenticated();

    public string AppId => App.AppId;

    /// <summary>The SDK user; null for the Platform API (and for <see cref="Unauthenticated"/>).</summary>
    public string? UserId { get; }

    public bool IsPlatform => IsAuthenticated ? _isPlatform : throw NotAuthenticated();

    /// <summary>The SDK user making the call; 3001 for the Platform API, which acts as nobody.</summary>
    public string RequireUserId() =>
        IsPlatform ? throw ApiException.Forbidden(ErrorCodes.NoPermission, "this call is made by an SDK user") : UserId!;

    /// <summary>3001 unless the caller is the Platform API.</summary>
    public void RequirePlatform()
    {
        if (!IsPlatform) throw ApiException.Forbidden(ErrorCodes.NoPermission, "only the Platform API may do this");
    }

    /// <summary>Minimal-API binding: the unauthenticated placeholder that the auth filter replaces.</summary>
    public static ValueTask<ChatCaller?> BindAsync(HttpContext context) => ValueTask.FromResult<ChatCaller?>(Unauthenticated);

    private static ApiException NotAuthenticated() => ApiException.Unauthorized(ErrorCodes.Unauthorized, "the call is not authenticated");

    public override string ToString() =>
        !IsAuthenticated ? "unauthenticated" : _isPlatform ? $"platform of {AppId}" : $"user {UserId} of {AppId}";
}
