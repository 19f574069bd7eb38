namespace GitpleLive.Chat.Tests.EndToEnd;

/// <summary>
/// The SDK's open channels against the real server: alice manages a channel, bob enters it; every call, the typed
/// <c>open:*</c> events, the refusals, and entering again after a reconnect.
/// </summary>
public sealed class OpenChannelTests : IAsyncLifetime
{
    private Harness _h = null!;
    private ChatClient _alice = null!, _bob = null!;
    private string _aliceId = null!, _bobId = null!, _channelId = null!;

    public async Task InitializeAsync()
    {
        _h = await Harness.StartAsync();
        (_aliceId, _bobId) = (Harness.NewId("alice"), Harness.NewId("bob"));
        _alice = await _h.ConnectAsync(_aliceId);
        _bob = await _h.ConnectAsync(_bobId, o => _h.ViaNetwork(o) with { MaxReconnectAttempts = 1000 });
        _channelId = Harness.NewId("live");
        var created = await _alice.OpenChannel.CreateChannelAsync(_channelId, "Live", meta: new Dictionary<string, string> { ["show"] = "1" });
        Assert.Equal(("open", "Live", 0L), (created.Type, created.Name, created.ParticipantCount));
        await _alice.OpenChannel.EnterAsync(_channelId);
        Assert.Equal(2, (await _bob.OpenChannel.EnterAsync(_channelId)).ParticipantCount);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Channels_are_listed_and_read_apart_from_group_channels()
    {
        var got = await _bob.OpenChannel.GetChannelAsync(_channelId);
        Assert.Equal(("1", 2L), (got.Meta!["show"], got.ParticipantCount));
        var page = await _bob.OpenChannel.GetChannelListAsync(new OpenChannelQuery { Name = "liv", Limit = 10 });
        Assert.Contains(page.Channels, c => c.ChannelId == _channelId && c.ParticipantCount == 2);
        Assert.DoesNotContain((await _bob.GroupChannel.GetChannelListAsync()).Channels, c => c.ChannelId == _channelId);
        var participants = await _alice.OpenChannel.GetParticipantListAsync(_channelId, limit: 1);
        var rest = await _alice.OpenChannel.GetParticipantListAsync(_channelId, next: participants.Next);
        Assert.Equal(new[] { _aliceId, _bobId }.Order(StringComparer.Ordinal),
            participants.Participants.Concat(rest.Participants).Select(u => u.UserId));
        var missing = await Assert.ThrowsAsync<GitpleLiveException>(() => _bob.OpenChannel.GetChannelAsync(Harness.NewId("none")));
        Assert.Equal(1003, missing.Code);
        var invalid = await Assert.ThrowsAsync<GitpleLiveException>(() => _bob.OpenChannel.GetChannelAsync(""));
        Assert.Equal(60104, invalid.Code);
    }

    [Fact]
    public async Task Messages_and_their_events_reach_the_participants()
    {
        var atBob = Events.Next<OpenChannelMessageEventArgs>(h => _bob.OpenChannel.MessageReceived += h);
        var sent = await _alice.OpenChannel.SendMessageAsync(_channelId, "hello all", new Dictionary<string, string> { ["k"] = "v" });
        var e = await atBob;
        Assert.Equal((_channelId, "open", sent.MessageId, "hello all", _aliceId), (e.Channel.ChannelId, e.Channel.Type, e.Message.MessageId,
            e.Message.Content, e.Message.User.UserId));
        // Group channel handlers hear nothing of it.
        var groupLog = new Events.Log<ChannelMessageEventArgs>(h => _bob.GroupChannel.MessageReceived += h);

        var updated = Events.Next<OpenChannelMessageEventArgs>(h => _bob.OpenChannel.MessageUpdated += h);
        await _alice.OpenChannel.UpdateMessageMetaAsync(_channelId, sent.MessageId, new Dictionary<string, string> { ["pin"] = "y" });
        Assert.Equal("y", (await updated).Message.Meta!["pin"]);
        await _alice.OpenChannel.DeleteMessageMetaAsync(_channelId, sent.MessageId, ["pin"]);
        var history = await _bob.OpenChannel.GetMessageListAsync(_channelId, new MessageQuery { Limit = 10 });
        Assert.Equal([sent.MessageId], history.Messages.Select(m => m.MessageId));

        var refused = await Assert.ThrowsAsync<GitpleLiveException>(() => _bob.OpenChannel.DeleteMessageAsync(_channelId, sent.MessageId));
        Assert.Equal(3001, refused.Code);
        var deleted = Events.Next<OpenChannelMessageEventArgs>(h => _bob.OpenChannel.MessageDeleted += h);
        await _alice.OpenChannel.DeleteMessageAsync(_channelId, sent.MessageId);
        Assert.Equal(sent.MessageId, (await deleted).Message.MessageId);
        Assert.Empty(groupLog.Items);
    }

    [Fact]
    public async Task Managers_freeze_update_appoint_and_ban()
    {
        var frozen = Events.Next<OpenChannelEventArgs>(h => _bob.OpenChannel.ChannelFrozen += h);
        await _alice.OpenChannel.FreezeChannelAsync(_channelId, true);
        Assert.True((await frozen).Channel.Freeze);
        var e = await Assert.ThrowsAsync<GitpleLiveException>(() => _bob.OpenChannel.SendMessageAsync(_channelId, "frozen?"));
        Assert.Equal(1009, e.Code);
        var unfrozen = Events.Next<OpenChannelEventArgs>(h => _bob.OpenChannel.ChannelUnfrozen += h);
        await _alice.OpenChannel.FreezeChannelAsync(_channelId, false);
        await unfrozen;

        var renamed = Events.Next<OpenChannelEventArgs>(h => _bob.OpenChannel.ChannelUpdated += h);
        await _alice.OpenChannel.UpdateChannelAsync(_channelId, name: "Renamed");
        Assert.Equal("Renamed", (await renamed).Channel.Name);
        e = await Assert.ThrowsAsync<GitpleLiveException>(() => _bob.OpenChannel.UpdateChannelAsync(_channelId, name: "mine"));
        Assert.Equal(3001, e.Code);

        var appointed = Events.Next<OpenChannelUserEventArgs>(h => _bob.OpenChannel.ManagerCreated += h);
        await _alice.OpenChannel.RegisterManagerAsync(_channelId, _bobId);
        Assert.Equal(_bobId, (await appointed).User.UserId);
        Assert.Equal([_aliceId, _bobId], (await _bob.OpenChannel.GetManagerListAsync(_channelId)).Select(u => u.UserId));
        var removed = Events.Next<OpenChannelUserEventArgs>(h => _bob.OpenChannel.ManagerDeleted += h);
        await _alice.OpenChannel.DeleteManagerAsync(_channelId, _bobId);
        Assert.Equal(_bobId, (await removed).User.UserId);

        // A ban: bob hears it, is out, and cannot enter again until it is lifted.
        var banned = Events.Next<OpenChannelBanEventArgs>(h => _bob.OpenChannel.UserBanned += h);
        await _alice.OpenChannel.BanAsync(_channelId, _bobId, 60, "spam");
        var ban = await banned;
        Assert.Equal((_bobId, "spam"), (ban.User.UserId, ban.Ban.Reason));
        Assert.DoesNotContain(_channelId, _bob.OpenChannel.EnteredChannels);
        e = await Assert.ThrowsAsync<GitpleLiveException>(() => _bob.OpenChannel.EnterAsync(_channelId));
        Assert.Equal(1019, e.Code);
        Assert.Equal([_bobId], (await _alice.OpenChannel.GetBannedListAsync(_channelId)).Select(b => b.User.UserId));
        var unbanned = Events.Next<OpenChannelUserEventArgs>(h => _alice.OpenChannel.UserUnbanned += h);
        await _alice.OpenChannel.UnbanAsync(_channelId, _bobId);
        Assert.Equal(_bobId, (await unbanned).User.UserId);
        await _bob.OpenChannel.EnterAsync(_channelId);

        // Delete: both hear it and stop listening.
        var deletedAtBob = Events.Next<OpenChannelEventArgs>(h => _bob.OpenChannel.ChannelDeleted += h);
        await _alice.OpenChannel.DeleteChannelAsync(_channelId);
        Assert.Equal(_channelId, (await deletedAtBob).Channel.ChannelId);
        Assert.Empty(_bob.OpenChannel.EnteredChannels);
    }

    [Fact]
    public async Task Exit_is_heard_and_a_reconnect_enters_again()
    {
        // Bob's network drops: the server lets him go with his connection; the client enters again by itself.
        var started = Events.Next(h => _bob.Connection.ReconnectStarted += h);
        var succeeded = Events.Next(h => _bob.Connection.ReconnectSucceeded += h);
        _h.Network.Refusing = true;
        _h.Network.DropAll();
        await started;
        await WaitAsync(async () => (await _alice.OpenChannel.GetChannelAsync(_channelId)).ParticipantCount == 1);
        _h.Network.Refusing = false;
        await succeeded;
        await WaitAsync(async () => (await _alice.OpenChannel.GetChannelAsync(_channelId)).ParticipantCount == 2);
        // And he hears the channel again on the new connection.
        var atBob = Events.Next<OpenChannelMessageEventArgs>(h => _bob.OpenChannel.MessageReceived += h);
        await WaitAsync(async () =>
        {
            await _alice.OpenChannel.SendMessageAsync(_channelId, "back?");
            return await Task.WhenAny(atBob, Task.Delay(500)) == atBob;
        });

        var exited = Events.Next<OpenChannelUserEventArgs>(h => _bob.OpenChannel.Exited += h);
        await _bob.OpenChannel.ExitAsync(_channelId);
        Assert.Equal(_channelId, (await exited).Channel.ChannelId);
        var e = await Assert.ThrowsAsync<GitpleLiveException>(() => _bob.OpenChannel.ExitAsync(_channelId));
        Assert.Equal(1008, e.Code);
        e = await Assert.ThrowsAsync<GitpleLiveException>(() => _bob.OpenChannel.SendMessageAsync(_channelId, "still here?"));
        Assert.Equal(1008, e.Code);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 150; i++)
        {
            if (await condition()) return;
            await Task.Delay(100);
        }
        Assert.Fail("condition not met within 15 s");
    }
}
