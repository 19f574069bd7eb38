using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat;

public sealed partial class GroupChannelClient
{
    /// <summary>
    /// Sets which messages of a channel are pushed to the connected user's devices while offline (PUT
    /// <c>/group/channels/{id}/push</c>). Mentions are pushed unless the preference is <see cref="PushPreference.Off"/>.
    /// </summary>
    /// <param name="channelId">The channel's id (the user must be a member).</param>
    /// <param name="preference">All messages, only mentions (and replies in the user's threads), or none.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the server stored the preference.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 1008 (not a member).</exception>
    public async Task SetPushPreferenceAsync(string channelId, PushPreference preference, CancellationToken cancellationToken = default) =>
        await _core.Rest.SendJsonAsync(HttpMethod.Put, ChannelPath(channelId, "push"), _core.RequireCredentials(),
            new PushPreferenceBody(PushWire.Name(preference)), ChatPushJsonContext.Default.PushPreferenceBody,
            ChatPushJsonContext.Default.PushPreferenceAnswer, cancellationToken).ConfigureAwait(false);

    /// <summary>Gets the connected user's push preference for a channel (GET <c>/group/channels/{id}/push</c>).</summary>
    /// <param name="channelId">The channel's id (the user must be a member).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The preference; <see cref="PushPreference.All"/> unless it was changed.</returns>
    /// <exception cref="GitpleLiveException">60104, 60904, or a server code such as 1008 (not a member).</exception>
    public async Task<PushPreference> GetPushPreferenceAsync(string channelId, CancellationToken cancellationToken = default)
    {
        var answer = await _core.Rest.GetAsync(ChannelPath(channelId, "push"), _core.RequireCredentials(),
            ChatPushJsonContext.Default.PushPreferenceAnswer, cancellationToken).ConfigureAwait(false);
        return PushWire.Preference(answer.Push);
    }
}
