using GitpleLive.Protocol;

namespace GitpleLive.Chat.Internal;

/// <summary>Connect, disconnect and the connect sequence shared with every reconnect attempt.</summary>
internal sealed partial class ChatCore
{
    public async Task ConnectAsync(string userId, string? sessionToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(userId)) throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters,
            "user id is required");
        if (userId.IndexOfAny(['/', '#', '+']) >= 0)
            throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, "user id must not contain '/', '#' or '+'");
        if (sessionToken is not null) SessionToken.Validate(sessionToken, userId, NowMs());

        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        ChatSession session;
        try
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, typeof(ChatClient));
                if (_session is { } current)
                {
                    if (current.UserId == userId) return;
                    throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters,
                        $"already connected as {current.UserId}; call DisconnectUserAsync first");
                }
                session = new ChatSession(this, userId, sessionToken);
                _pending = session;
                _state = ConnectionState.Connecting;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.Cancellation.Token);
            try
            {
                await EstablishAsync(session, initial: true, linked.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                lock (_gate)
                {
                    _pending = null;
                    _state = ConnectionState.Disconnected;
                }
                await session.CloseAsync().ConfigureAwait(false);
                if (e is OperationCanceledException && cancellationToken.IsCancellationRequested) throw;
                if (e is OperationCanceledException)
                    throw new GitpleLiveException(GitpleLiveErrorCode.UnableToConnect, "the connect was cancelled by a disconnect");
                throw Wrap(e);
            }

            lock (_gate)
            {
                _pending = null;
                _session = session;
                _state = ConnectionState.Connected;
            }
            session.StartBackgroundWork();
            Dispatcher.Post(Connection.RaiseConnected);
            EnsureAlive(session);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        ChatSession? target;
        lock (_gate) target = _session ?? _pending;
        if (target is null) return;
        // Cancel first: a reconnect attempt or a connect in progress holds the lifecycle lock until it notices.
        target.Cancel();
        await CloseSessionAsync(target, DisconnectReason.ClientRequested, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends a session for good; only the first call for a session does anything.</summary>
    private async Task CloseSessionAsync(ChatSession session, DisconnectReason reason, GitpleLiveException? error,
        CancellationToken cancellationToken = default)
    {
        session.Cancel();
        await _lifecycle.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_gate)
            {
                if (_session != session) return;
                _session = null;
                _state = ConnectionState.Disconnected;
            }
            await session.CloseAsync().ConfigureAwait(false);
            Tracker.Clear();
            var args = new DisconnectedEventArgs(reason, error);
            Dispatcher.Post(() => Connection.RaiseDisconnected(args));
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// The connect sequence of PROTOCOL §4/§6, also used by each reconnect attempt: SDK token, client IP,
    /// MQTT connect, token refresh, joined channels, subscriptions, and (on reconnect) catch-up.
    /// </summary>
    private async Task EstablishAsync(ChatSession session, bool initial, CancellationToken cancellationToken)
    {
        if (session.SessionToken is not null && (initial || session.Tokens.NeedsTokenBeforeConnect()))
            await session.Tokens.RefreshAsync(cancellationToken).ConfigureAwait(false);
        session.ClientIp ??= await Rest.GetClientIpAsync(cancellationToken).ConfigureAwait(false) ?? "unknown";

        await session.ConnectMqttAsync(cancellationToken).ConfigureAwait(false);
        // Right after every MQTT (re)connect; for tokenless users this is where the token comes from.
        await session.Tokens.RefreshAsync(cancellationToken).ConfigureAwait(false);

        var joined = await GetJoinedAllAsync(session, cancellationToken).ConfigureAwait(false);
        var joinedIds = joined.Select(c => c.ChannelId).ToHashSet(StringComparer.Ordinal);
        Tracker.RetainOnly(joinedIds);

        var catchUp = !initial && Options.CatchUpMissedMessages;
        var caughtUp = new List<GroupChannel>();
        try
        {
            foreach (var channel in joined)
            {
                if (catchUp && Tracker.IsKnown(channel.ChannelId))
                {
                    // Hold live messages back until the fetch below is done, so they come after it.
                    Tracker.BeginCatchUp(channel.ChannelId);
                    caughtUp.Add(channel);
                }
                else
                {
                    Tracker.SetBaseline(channel.ChannelId, channel.LastMessage?.MessageId ?? 0);
                }
            }

            var topics = new List<string> { Topics.User(AppId, session.UserId) };
            foreach (var channel in joined)
            {
                topics.Add(Topics.ChannelAll(AppId, channel.ChannelId, channel.Type));
                if (channel.Managers?.Any(m => m.UserId == session.UserId) == true)
                    topics.Add(Topics.ChannelManager(AppId, channel.ChannelId, channel.Type));
            }
            await session.Transport.SubscribeAsync(topics, cancellationToken).ConfigureAwait(false);

            foreach (var channel in caughtUp)
            {
                try
                {
                    await CatchUpAsync(session, channel, cancellationToken).ConfigureAwait(false);
                }
                catch (GitpleLiveException e)
                    when (e.Code is not (GitpleLiveErrorCode.ServerNotResponding or GitpleLiveErrorCode.UnableToConnect))
                {
                    // One channel failing (left meanwhile, say) must not fail the reconnect.
                    ReportError(e);
                }
                finally
                {
                    Tracker.EndCatchUp(channel.ChannelId, RaiseMessage);
                }
            }
        }
        finally
        {
            foreach (var channel in caughtUp) Tracker.EndCatchUp(channel.ChannelId, RaiseMessage);
        }
    }

    private Task<List<GroupChannel>> GetJoinedAllAsync(ChatSession session, CancellationToken cancellationToken) =>
        Rest.GetAsync("group/channels/joined/list/all?show_managers=true&show_last_message=true",
            session.Credentials, ChatJsonContext.Default.ListGroupChannel, cancellationToken);
}
