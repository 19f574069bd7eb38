using System.Globalization;

namespace GitpleLive.Chat.Internal;

/// <summary>Noticing a lost connection, the reconnect loop with backoff, and catching up on missed messages.</summary>
internal sealed partial class ChatCore
{
    /// <summary>Codes after which retrying cannot help: the server refuses the user itself (deleted, token revoked or expired).</summary>
    private static bool IsFinal(GitpleLiveException error) => error.Code is GitpleLiveErrorCode.UnableToSubscribeEvent
        or GitpleLiveErrorCode.UserNotFound or GitpleLiveErrorCode.Unauthorized or GitpleLiveErrorCode.UnauthorizedApplication
        or GitpleLiveErrorCode.TokenUsageOff or GitpleLiveErrorCode.UserTokenUsageOff;

    internal void OnConnectionLost(ChatSession session)
    {
        lock (_gate)
        {
            if (_session != session || session.IsCancelled || _state != ConnectionState.Connected) return;
            _state = ConnectionState.Reconnecting;
        }
        _ = Task.Run(() => ReconnectLoopAsync(session));
    }

    /// <summary>
    /// A connection lost while the connect sequence was still running went unnoticed (the state was not
    /// yet <see cref="ConnectionState.Connected"/>); look once more now that it is.
    /// </summary>
    private void EnsureAlive(ChatSession session)
    {
        if (session.Transport.IsLost) OnConnectionLost(session);
    }

    private async Task ReconnectLoopAsync(ChatSession session)
    {
        var cancellationToken = session.Cancellation.Token;
        Dispatcher.Post(Connection.RaiseReconnectStarted);
        GitpleLiveException? last = null;
        var credentialsRefusedOnce = false;
        for (var attempt = 1; attempt <= Options.MaxReconnectAttempts; attempt++)
        {
            try
            {
                await Task.Delay(Backoff(attempt), cancellationToken).ConfigureAwait(false);
                await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                lock (_gate)
                {
                    if (_session != session || session.IsCancelled) return;
                }
                await session.Transport.DropAsync().ConfigureAwait(false);
                await EstablishAsync(session, initial: false, cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    if (_session != session) return;
                    _state = ConnectionState.Connected;
                }
                Dispatcher.Post(Connection.RaiseReconnectSucceeded);
                EnsureAlive(session);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                last = Wrap(e);
                // A CONNACK refusal (4001 without an HTTP status) usually means the SDK token ran out while away:
                // the next attempt fetches a fresh one first, so give it that one chance.
                var connackRefusal = last.Code == GitpleLiveErrorCode.Unauthorized && last.Status is null;
                if (connackRefusal && !credentialsRefusedOnce) credentialsRefusedOnce = true;
                else if (IsFinal(last)) break;
            }
            finally
            {
                _lifecycle.Release();
            }
        }

        Dispatcher.Post(Connection.RaiseReconnectFailed);
        var reason = last?.Code switch
        {
            GitpleLiveErrorCode.UnableToSubscribeEvent => DisconnectReason.SubscriptionRefused,
            GitpleLiveErrorCode.UserNotFound => DisconnectReason.UserDeleted,
            _ => DisconnectReason.ReconnectFailed,
        };
        if (reason == DisconnectReason.UserDeleted && !session.UserDeleteSeen)
        {
            // The server closes a deleted user's connections right after user_delete; when the close won the
            // race and the event was lost, say it now with what is known.
            var args = new UserEventArgs(new User { UserId = session.UserId });
            User.Post(User.RaiseUserDeleted, args);
        }
        if (last is not null) ReportError(last);
        await CloseSessionAsync(session, reason, last).ConfigureAwait(false);
    }

    internal TimeSpan Backoff(int attempt)
    {
        var baseMs = Options.ReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        var capped = Math.Min(baseMs, Options.MaxReconnectDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (1 + Random.Shared.NextDouble() * 0.2));
    }

    private void RaiseMessage(GroupChannel channel, Message message) => GroupChannel.PostMessageReceived(channel, message);

    /// <summary>Fetches every message after the last one seen, page by page, and raises them in order.</summary>
    private async Task CatchUpAsync(ChatSession session, GroupChannel channel, CancellationToken cancellationToken)
    {
        const int pageSize = 100;
        var credentials = session.Credentials;
        while (true)
        {
            var after = Tracker.LastSeen(channel.ChannelId) ?? 0;
            var path = RestClient.Query($"group/channels/{RestClient.Segment(channel.ChannelId)}/messages",
                ("mode", "next"), ("base_message_id", after.ToString(CultureInfo.InvariantCulture)),
                ("limit", pageSize.ToString(CultureInfo.InvariantCulture)));
            var page = await Rest.GetAsync(path, credentials, ChatJsonContext.Default.MessagePage, cancellationToken).ConfigureAwait(false);
            var messages = page.Messages.Where(m => m.MessageId > after).OrderBy(m => m.MessageId).ToList();
            foreach (var message in messages) Tracker.OnFetched(channel, message, RaiseMessage);
            if (messages.Count == 0 || page.Messages.Count < pageSize) return;
        }
    }
}
