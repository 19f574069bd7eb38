using System.Runtime.CompilerServices;

namespace GitpleLive.Platform;

/// <summary>Open channels (PROTOCOL §10, <c>/v1/open/channels</c>): acting for the app, and as any user where a call needs one.</summary>
public sealed partial class PlatformClient
{
    private static string OpenPath(string channelId, string? rest = null) =>
        $"v1/open/channels/{Esc(channelId)}" + (rest is null ? "" : "/" + rest);

    /// <summary>Creates an open channel with the given managers (none is fine: the Platform API manages every channel).</summary>
    /// <param name="channelId">The id (1007 when any channel has it).</param>
    /// <param name="name">Display name.</param>
    /// <param name="managers">Its managers (existing users; 1004 otherwise).</param>
    /// <param name="profileUrl">Picture URL.</param>
    /// <param name="meta">Custom string values.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The channel.</returns>
    public Task<PlatformOpenChannel> CreateOpenChannelAsync(string channelId, string name, IReadOnlyList<string>? managers = null,
        string? profileUrl = null, IReadOnlyDictionary<string, string>? meta = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "v1/open/channels", Body(("channel_id", channelId), ("name", name), ("managers", managers),
            ("profile_url", profileUrl), ("meta", meta)), PlatformJson.Default.PlatformOpenChannel, cancellationToken);

    /// <summary>Gets an open channel with its participant count (1003 when missing).</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The channel.</returns>
    public Task<PlatformOpenChannel> GetOpenChannelAsync(string channelId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, OpenPath(channelId), null, PlatformJson.Default.PlatformOpenChannel, cancellationToken);

    /// <summary>Walks every open channel of the app, newest first.</summary>
    /// <param name="pageSize">Channels per request (1–100).</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The channels.</returns>
    public async IAsyncEnumerable<PlatformOpenChannel> GetOpenChannelsAsync(int pageSize = 100,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? next = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var page = await SendAsync(HttpMethod.Get, $"v1/open/channels?limit={pageSize}" + (next is null ? "" : "&next=" + Esc(next)),
                null, PlatformJson.Default.OpenChannelPage, cancellationToken).ConfigureAwait(false);
            foreach (var c in page.Channels) yield return c;
            next = page.Next;
            if (IsLastPage(next, page.Channels.Count, seen)) yield break;
        }
    }

    /// <summary>Changes an open channel's name, picture or meta (merged); raises <c>open:channel_update</c>.</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="name">New name.</param>
    /// <param name="profileUrl">New picture URL (empty removes it).</param>
    /// <param name="meta">Meta keys to set.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The channel as it now is.</returns>
    public Task<PlatformOpenChannel> UpdateOpenChannelAsync(string channelId, string? name = null, string? profileUrl = null,
        IReadOnlyDictionary<string, string>? meta = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, OpenPath(channelId), Body(("name", name), ("profile_url", profileUrl), ("meta", meta)),
            PlatformJson.Default.PlatformOpenChannel, cancellationToken);

    /// <summary>Deletes an open channel with its messages; every participant hears <c>open:channel_delete</c> and is let go.</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when deleted.</returns>
    public Task DeleteOpenChannelAsync(string channelId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, OpenPath(channelId), null, cancellationToken);

    /// <summary>Freezes (only managers and the Platform API send) or unfreezes an open channel.</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="freeze">True to freeze.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The channel as it now is.</returns>
    public Task<PlatformOpenChannel> FreezeOpenChannelAsync(string channelId, bool freeze, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, OpenPath(channelId, "freeze"), Body(("freeze", freeze)), PlatformJson.Default.PlatformOpenChannel,
            cancellationToken);

    /// <summary>Enters a connected user into an open channel (1008 when they have no realtime connection, 1019 banned, 1010
    /// full).</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The channel with its participant count.</returns>
    public Task<PlatformOpenChannel> EnterOpenChannelAsync(string channelId, string userId,
        CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, OpenPath(channelId, "enter"), Body(("user_id", userId)), PlatformJson.Default.PlatformOpenChannel,
            cancellationToken);

    /// <summary>Takes a user out of an open channel (1008 when not in it); they hear <c>open:channel_exit</c>.</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when out.</returns>
    public Task ExitOpenChannelAsync(string channelId, string userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, OpenPath(channelId, "exit"), Body(("user_id", userId)), cancellationToken);

    /// <summary>Walks who is in an open channel now, in user id order.</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="pageSize">Participants per request (1–100).</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The participants.</returns>
    public async IAsyncEnumerable<PlatformUser> GetParticipantsAsync(string channelId, int pageSize = 100,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? next = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var page = await SendAsync(HttpMethod.Get, OpenPath(channelId, $"participants?limit={pageSize}")
                + (next is null ? "" : "&next=" + Esc(next)), null, PlatformJson.Default.ParticipantPage, cancellationToken)
                .ConfigureAwait(false);
            foreach (var u in page.Participants) yield return u;
            next = page.Next;
            if (string.IsNullOrEmpty(next) || !seen.Add(next)) yield break;
        }
    }

    /// <summary>Sends a text message to an open channel as <paramref name="senderId"/> (any existing user, frozen or not).</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="senderId">The sender.</param>
    /// <param name="content">The text.</param>
    /// <param name="meta">Custom string values.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored message.</returns>
    public Task<PlatformMessage> SendOpenMessageAsync(string channelId, string senderId, string content,
        IReadOnlyDictionary<string, string>? meta = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, OpenPath(channelId, "messages"), Body(("user_id", senderId), ("type", "text"), ("content", content),
            ("meta", meta)), PlatformJson.Default.PlatformMessage, cancellationToken);

    /// <summary>The <paramref name="limit"/> newest messages of an open channel before <paramref name="beforeMessageId"/>,
    /// ascending.</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="limit">How many (1–100).</param>
    /// <param name="beforeMessageId">Only messages older than this one.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The messages.</returns>
    public async Task<IReadOnlyList<PlatformMessage>> GetOpenMessagesAsync(string channelId, int limit = 20, long? beforeMessageId = null,
        CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, OpenPath(channelId, $"messages?limit={limit}")
            + (beforeMessageId is { } b ? $"&base_message_id={b}" : ""), null, PlatformJson.Default.MessagePage, cancellationToken)
            .ConfigureAwait(false)).Messages;

    /// <summary>Deletes a message of an open channel.</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="messageId">The message.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when deleted.</returns>
    public Task DeleteOpenMessageAsync(string channelId, long messageId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, OpenPath(channelId, $"messages/{messageId}"), null, cancellationToken);

    /// <summary>Makes a user a manager of an open channel (1011 over the app's manager limit).</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when done.</returns>
    public Task AddOpenManagerAsync(string channelId, string userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, OpenPath(channelId, "managers"), Body(("manager", userId)), cancellationToken);

    /// <summary>Removes a manager of an open channel (1016 when not one).</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="userId">The manager.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when done.</returns>
    public Task RemoveOpenManagerAsync(string channelId, string userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, OpenPath(channelId, "managers"), Body(("manager", userId)), cancellationToken);

    /// <summary>Bans a user from an open channel for <paramref name="duration"/>: they are out at once and cannot enter.</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="userId">The user.</param>
    /// <param name="duration">How long.</param>
    /// <param name="reason">Why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The ban.</returns>
    public Task<PlatformBan> BanFromOpenChannelAsync(string channelId, string userId, TimeSpan duration, string? reason = null,
        CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, OpenPath(channelId, "ban"), Body(("user_id", userId),
            ("seconds", (long)Math.Ceiling(duration.TotalSeconds)), ("reason", reason)), PlatformJson.Default.PlatformBan,
            cancellationToken);

    /// <summary>Lifts a ban in an open channel.</summary>
    /// <param name="channelId">The channel.</param>
    /// <param name="userId">The user.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when lifted.</returns>
    public Task UnbanFromOpenChannelAsync(string channelId, string userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, OpenPath(channelId, $"ban/{Esc(userId)}"), null, cancellationToken);
}
