using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat;

/// <summary>The connected user's own profile and its events (the seed's <c>client.user</c>).</summary>
public sealed partial class UserClient
{
    private readonly ChatCore _core;

    internal UserClient(ChatCore core) => _core = core;

    /// <summary>Raised when the connected user's profile changed (seed: <c>user_update</c>).</summary>
    public event EventHandler<UserEventArgs>? UserUpdated;

    /// <summary>
    /// Raised when the connected user was deleted; the client disconnects right after (seed: <c>user_delete</c>).
    /// If the server closed the connection before the event arrived, it is raised when reconnecting finds the user
    /// gone, with a <see cref="Chat.User"/> that carries only the user id.
    /// </summary>
    public event EventHandler<UserEventArgs>? UserDeleted;

    /// <summary>Gets the connected user (GET <c>/users/info/me</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The user.</returns>
    /// <exception cref="GitpleLiveException">60904 when not connected; a server code when the call fails.</exception>
    public Task<User> MeAsync(CancellationToken cancellationToken = default) =>
        _core.Rest.GetAsync("users/info/me", _core.RequireCredentials(), ChatJsonContext.Default.User, cancellationToken);

    /// <summary>Changes the connected user's name and/or profile URL (PUT <c>/users</c>); others hear <see cref="UserUpdated"/>.</summary>
    /// <param name="name">The new name, or <see langword="null"/> to keep it.</param>
    /// <param name="profileUrl">The new profile URL, or <see langword="null"/> to keep it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated user.</returns>
    /// <exception cref="GitpleLiveException">60101 when both are null; 60904 when not connected; a server code when the call
    /// fails.</exception>
    public Task<User> UpdateUserAsync(string? name = null, string? profileUrl = null, CancellationToken cancellationToken = default)
    {
        if (name is null && profileUrl is null)
            throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, "give a name or a profile URL");
        return _core.Rest.SendJsonAsync(HttpMethod.Put, "users", _core.RequireCredentials(), new UpdateUserBody(name, profileUrl),
            ChatJsonContext.Default.UpdateUserBody, ChatJsonContext.Default.User, cancellationToken);
    }

    /// <summary>Adds or replaces meta keys of the connected user (PUT <c>/users/{id}/meta</c>).</summary>
    /// <param name="meta">The keys and values to merge in.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated user.</returns>
    /// <exception cref="GitpleLiveException">60101 when <paramref name="meta"/> is missing; 60904 when not connected; a server code when
    /// the call fails.</exception>
    public Task<User> UpdateMetaAsync(IReadOnlyDictionary<string, string> meta, CancellationToken cancellationToken = default)
    {
        Argument.NotNull(meta, nameof(meta));
        var credentials = _core.RequireCredentials();
        return _core.Rest.SendJsonAsync(HttpMethod.Put, $"users/{RestClient.Segment(credentials.UserId)}/meta", credentials,
            new MetaBody(meta),
            ChatJsonContext.Default.MetaBody, ChatJsonContext.Default.User, cancellationToken);
    }

    /// <summary>Removes meta keys of the connected user (DELETE <c>/users/{id}/meta</c>).</summary>
    /// <param name="keys">The keys to remove.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated user.</returns>
    /// <exception cref="GitpleLiveException">60101 when no key is given; 60904 when not connected; a server code when the call
    /// fails.</exception>
    public Task<User> DeleteMetaAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        var list = Argument.NonEmpty(keys, nameof(keys));
        var credentials = _core.RequireCredentials();
        return _core.Rest.SendJsonAsync(HttpMethod.Delete, $"users/{RestClient.Segment(credentials.UserId)}/meta", credentials,
            new KeysBody(list),
            ChatJsonContext.Default.KeysBody, ChatJsonContext.Default.User, cancellationToken);
    }

    internal void Post<T>(Action<T> raise, T args) => _core.Dispatcher.Post(() => raise(args));
    internal void RaiseUserUpdated(UserEventArgs args) => UserUpdated?.Invoke(this, args);
    internal void RaiseUserDeleted(UserEventArgs args) => UserDeleted?.Invoke(this, args);
}
