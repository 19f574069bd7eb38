using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat;

public sealed partial class UserClient
{
    /// <summary>
    /// Registers this device's push token for the connected user (POST <c>/users/device_token</c> <c>{ token, platform }</c>),
    /// so messages reach the device while the app is not connected. Registering the same token again is harmless; a token
    /// another user registered before moves to this user.
    /// </summary>
    /// <param name="token">The FCM registration token or the APNs device token.</param>
    /// <param name="platform">Which push service the token belongs to.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server stored the token.</returns>
    /// <exception cref="GitpleLiveException">60101 when the token is empty; 60904 when not connected; a server code when the call
    /// fails.</exception>
    public Task RegisterPushTokenAsync(string token, PushPlatform platform, CancellationToken cancellationToken = default) =>
        _core.Rest.SendJsonAsync(HttpMethod.Post, "users/device_token", _core.RequireCredentials(),
            new PushTokenBody(Argument.Required(token, nameof(token)), PushWire.Name(platform)),
            ChatPushJsonContext.Default.PushTokenBody, cancellationToken);

    /// <summary>
    /// Forgets a push token of the connected user (DELETE <c>/users/device_token</c> <c>{ token }</c>), e.g. at logout; the
    /// device gets no more pushes. An unknown token is not an error.
    /// </summary>
    /// <param name="token">The token given to <see cref="RegisterPushTokenAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server forgot the token.</returns>
    /// <exception cref="GitpleLiveException">60101 when the token is empty; 60904 when not connected; a server code when the call
    /// fails.</exception>
    public Task UnregisterPushTokenAsync(string token, CancellationToken cancellationToken = default) =>
        _core.Rest.SendJsonAsync(HttpMethod.Delete, "users/device_token", _core.RequireCredentials(),
            new PushTokenBody(Argument.Required(token, nameof(token)), null),
            ChatPushJsonContext.Default.PushTokenBody, cancellationToken);
}
