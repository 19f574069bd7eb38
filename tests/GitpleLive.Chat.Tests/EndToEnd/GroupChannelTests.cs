using System.Text;

namespace GitpleLive.Chat.Tests.EndToEnd;

/// <summary>
/// Every group channel call against the real server, with the events each one raises at the other users
/// (alice manages the channel, bob is a member, carol comes and goes).
/// </summary>
public sealed class GroupChannelTests : IAsyncLifetime
{
    private Harness _h = null!;
    private ChatClient _alice = null!, _bob = null!, _carol = null!;
    private string _aliceId = null!, _bobId = null!, _carolId = null!, _channelId = null!;

    public async Task InitializeAsync()
    {
        _h = await Harness.StartAsync();
        (_aliceId, _bobId, _carolId) = (Harness.NewId("alice"), Harness.NewId("bob"), Harness.NewId("carol"));
        _alice = await _h.ConnectAsync(_aliceId);
        _bob = await _h.ConnectAsync(_bobId, _h.ViaNetwork);
        _carol = await _h.ConnectAsync(_carolId);
        _channelId = Harness.NewId("room");

        var aliceJoined = Events.Next<ChannelUserEventArgs>(h => _alice.GroupChannel.ChannelJoined += h, e => e.Channel.ChannelId == _channelId);
        var aliceManager = Events.Next<ChannelUserEventArgs>(h => _alice.GroupChannel.ManagerCreated += h, e => e.Channel.ChannelId == _channelId);
        var bobJoined = Events.Next<ChannelUserEventArgs>(h => _bob.GroupChannel.ChannelJoined += h, e => e.Channel.ChannelId == _channelId);
        var created = await _alice.GroupChannel.CreateChannelAsync(new CreateGroupChannelOptions
        {
            ChannelId = _channelId, Name = "Room", Members = [_bobId], Meta = new Dictionary<string, string> { ["topic"] = "tests" },
        });
        Assert.Equal(("Room", "tests"), (created.Name, created.Meta!["topic"]));
        // user_joined_channel for every member (caller included), user_become_manager for the caller.
        Assert.Equal(_aliceId, (await aliceJoined).User.UserId);
        Assert.Equal(_aliceId, (await aliceManager).User.UserId);
        Assert.Equal(_bobId, (await bobJoined).User.UserId);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task CarolJoinsAsync()
    {
        var seenByAlice = Events.Next<ChannelUserEventArgs>(h => _alice.GroupChannel.ChannelJoined += h, e => e.User.UserId == _carolId);
        var seenByCarol = Events.Next<ChannelUserEventArgs>(h => _carol.GroupChannel.ChannelJoined += h, e => e.Channel.ChannelId == _channelId);
        await _carol.GroupChannel.JoinChannelAsync(_channelId);
        Assert.Equal(_channelId, (await seenByAlice).Channel.ChannelId);
        Assert.Equal(_carolId, (await seenByCarol).User.UserId);
    }

    [Fact]
    public async Task Messages_reach_members_only_and_carol_hears_them_after_joining()
    {
        var carolLog = new Events.Log<ChannelMessageEventArgs>(h => _carol.GroupChannel.MessageReceived += h);
        var atBob = Events.Next<ChannelMessageEventArgs>(h => _bob.GroupChannel.MessageReceived += h);
        var sent = await _alice.GroupChannel.SendMessageAsync(_channelId, "hello", new Dictionary<string, string> { ["k"] = "v" });
        var e = await atBob;
        Assert.Equal((_channelId, sent.MessageId, "hello", _aliceId, "v"), (e.Channel.ChannelId, e.Message.MessageId, e.Message.Content, e.Message.User.UserId, e.Message.Meta!["k"]));

        await CarolJoinsAsync();
        var atCarol = Events.Next<ChannelMessageEventArgs>(h => _carol.GroupChannel.MessageReceived += h);
        await _bob.GroupChannel.SendMessageAsync(_channelId, "welcome");
        Assert.Equal("welcome", (await atCarol).Message.Content);
        Assert.DoesNotContain(carolLog.Items, i => i.Message.Content == "hello");
        Assert.Equal(1006, (await Assert.ThrowsAsync<GitpleLiveException>(() => _carol.GroupChannel.JoinChannelAsync(_channelId))).Code);
    }

    [Fact]
    public async Task Channel_reads_lists_and_paging()
    {
        var second = Harness.NewId("room2");
        await _alice.GroupChannel.CreateChannelAsync(new CreateGroupChannelOptions { ChannelId = second, Name = "Second room" });
        var reused = await _alice.GroupChannel.CreateChannelAsync(new CreateGroupChannelOptions { ChannelId = second, Name = "ignored", Reuse = true });
        Assert.Equal("Second room", reused.Name);
        Assert.Equal(1007, (await Assert.ThrowsAsync<GitpleLiveException>(() => _alice.GroupChannel.CreateChannelAsync(new CreateGroupChannelOptions { ChannelId = second, Name = "x" }))).Code);

        var channel = await _bob.GroupChannel.GetChannelAsync(_channelId);
        Assert.Equal(("Room", "group"), (channel.Name, channel.Type));
        Assert.Equal(1003, (await Assert.ThrowsAsync<GitpleLiveException>(() => _bob.GroupChannel.GetChannelAsync("missing-" + second))).Code);

        var page1 = await _alice.GroupChannel.GetJoinedChannelListAsync(new GroupChannelQuery { Limit = 1, ShowMembers = true, ShowManagers = true });
        Assert.Single(page1.Channels);
        Assert.False(string.IsNullOrEmpty(page1.Next));
        var page2 = await _alice.GroupChannel.GetJoinedChannelListAsync(new GroupChannelQuery { Limit = 1, Next = page1.Next });
        Assert.NotEqual(page1.Channels[0].ChannelId, Assert.Single(page2.Channels).ChannelId);

        var joined = new List<GroupChannel>();
        await foreach (var c in _alice.GroupChannel.GetAllJoinedChannelsAsync(new GroupChannelQuery { Limit = 1 })) joined.Add(c);
        Assert.Equal(new[] { _channelId, second }.Order(), joined.Select(c => c.ChannelId).Order());

        var all = new List<GroupChannel>();
        await foreach (var c in _carol.GroupChannel.GetAllChannelsAsync(new GroupChannelQuery { Limit = 1, Name = "room" })) all.Add(c);
        Assert.Contains(all, c => c.ChannelId == second);

        var withBob = await _alice.GroupChannel.GetJoinedChannelListAsync(new GroupChannelQuery { IncludeMembers = [_bobId], ShowMembers = true, ShowUnread = true, ShowLastMessage = true, ShowReadReceipt = true, ShowDeliveryReceipt = true });
        var only = Assert.Single(withBob.Channels);
        Assert.Equal(_channelId, only.ChannelId);
        Assert.Contains(only.Members!, m => m.UserId == _bobId);

        var members = await _bob.GroupChannel.GetMemberListAsync(_channelId);
        Assert.Equal(new[] { _aliceId, _bobId }.Order(), members.Select(m => m.UserId).Order());
        Assert.All(members, m => Assert.NotNull(m.JoinedAt));
        Assert.Equal(_aliceId, Assert.Single(await _alice.GroupChannel.GetManagerListAsync(_channelId)).UserId);
        Assert.Equal(1008, (await Assert.ThrowsAsync<GitpleLiveException>(() => _carol.GroupChannel.GetMemberListAsync(_channelId))).Code);

        var online = await _alice.GroupChannel.GetOnlineMemberListAsync(_channelId);
        Assert.Contains(_aliceId, online);
        Assert.Contains(_bobId, online);
    }

    [Fact]
    public async Task Managers_update_freeze_and_meta_with_events()
    {
        Assert.Equal(3001, (await Assert.ThrowsAsync<GitpleLiveException>(() => _bob.GroupChannel.UpdateChannelAsync(_channelId, name: "x"))).Code);

        var updated = Events.Next<ChannelEventArgs>(h => _bob.GroupChannel.ChannelUpdated += h, e => e.Channel.Name == "Renamed");
        await _alice.GroupChannel.UpdateChannelAsync(_channelId, name: "Renamed", profileUrl: "https://example.com/r.png");
        Assert.Equal("https://example.com/r.png", (await updated).Channel.ProfileUrl);

        var metaUpdated = Events.Next<ChannelEventArgs>(h => _alice.GroupChannel.ChannelUpdated += h, e => e.Channel.Meta?.ContainsKey("color") == true);
        var withMeta = await _bob.GroupChannel.UpdateMetaAsync(_channelId, new Dictionary<string, string> { ["color"] = "blue" });
        Assert.Equal("blue", withMeta.Meta!["color"]);
        Assert.Equal("tests", withMeta.Meta["topic"]);
        await metaUpdated;
        var metaDeleted = Events.Next<ChannelEventArgs>(h => _alice.GroupChannel.ChannelUpdated += h, e => e.Channel.Meta?.ContainsKey("color") != true);
        var withoutMeta = await _bob.GroupChannel.DeleteMetaAsync(_channelId, ["color"]);
        Assert.False(withoutMeta.Meta?.ContainsKey("color") ?? false);
        await metaDeleted;

        var frozen = Events.Next<ChannelEventArgs>(h => _bob.GroupChannel.ChannelFrozen += h);
        Assert.True((await _alice.GroupChannel.FreezeChannelAsync(_channelId, true)).Freeze);
        Assert.True((await frozen).Channel.Freeze);
        Assert.Equal(1009, (await Assert.ThrowsAsync<GitpleLiveException>(() => _bob.GroupChannel.SendMessageAsync(_channelId, "nope"))).Code);
        await _alice.GroupChannel.SendMessageAsync(_channelId, "managers may speak");
        var unfrozen = Events.Next<ChannelEventArgs>(h => _bob.GroupChannel.ChannelUnfrozen += h);
        await _alice.GroupChannel.FreezeChannelAsync(_channelId, false);
        Assert.False((await unfrozen).Channel.Freeze);
        await _bob.GroupChannel.SendMessageAsync(_channelId, "thawed");
    }

    [Fact]
    public async Task Register_and_delete_manager_with_events_and_the_new_manager_hears_reports()
    {
        var created = Events.Next<ChannelUserEventArgs>(h => _bob.GroupChannel.ManagerCreated += h, e => e.User.UserId == _bobId);
        await _alice.GroupChannel.RegisterManagerAsync(_channelId, _bobId);
        Assert.Equal(_channelId, (await created).Channel.ChannelId);
        Assert.Equal(2, (await _bob.GroupChannel.GetManagerListAsync(_channelId)).Count);

        // Bob subscribed to the manager topic himself, so he hears reports now.
        var message = await _alice.GroupChannel.SendMessageAsync(_channelId, "spammy");
        await CarolJoinsAsync();
        var reportAtBob = Events.Next<ChannelReportEventArgs>(h => _bob.GroupChannel.ReportCreated += h);
        var report = await _carol.Moderation.CreateReportAsync(new CreateReportOptions
        {
            ReportType = "message", ReportCategory = "spam", Reason = "ads", ChannelId = _channelId, MessageId = message.MessageId,
        });
        var e = await reportAtBob;
        Assert.Equal((_channelId, report.ReportId, _carolId, message.MessageId), (e.Channel.ChannelId, e.Report.ReportId, e.Report.ReportingUser.UserId, e.Report.Message!.MessageId));
        var reports = await _alice.GroupChannel.GetReportListAsync(_channelId, new ReportQuery { Limit = 10 });
        Assert.Contains(reports.Reports, r => r.ReportId == report.ReportId);
        var walked = new List<Report>();
        await foreach (var r in _alice.GroupChannel.GetAllReportsAsync(_channelId)) walked.Add(r);
        Assert.Contains(walked, r => r.ReportId == report.ReportId);
        Assert.Equal(3001, (await Assert.ThrowsAsync<GitpleLiveException>(() => _carol.GroupChannel.GetReportListAsync(_channelId))).Code);

        var deleted = Events.Next<ChannelUserEventArgs>(h => _alice.GroupChannel.ManagerDeleted += h, e => e.User.UserId == _bobId);
        await _alice.GroupChannel.DeleteManagerAsync(_channelId, _bobId);
        await deleted;
        Assert.Equal(1016, (await Assert.ThrowsAsync<GitpleLiveException>(() => _alice.GroupChannel.DeleteManagerAsync(_channelId, _bobId))).Code);
    }

    [Fact]
    public async Task Read_and_delivered_receipts_reach_the_others()
    {
        await _alice.GroupChannel.SendMessageAsync(_channelId, "read me");
        var read = Events.Next<ChannelEventArgs>(h => _alice.GroupChannel.MessageRead += h, e => e.Channel.ReadReceipt?.ContainsKey(_bobId) == true);
        await _bob.GroupChannel.ReadMessageAsync(_channelId);
        var r = await read;
        Assert.Equal(_channelId, r.Channel.ChannelId);
        Assert.Equal(0, r.Channel.Unread![_bobId]);

        var delivered = Events.Next<ChannelEventArgs>(h => _alice.GroupChannel.MessageDelivered += h, e => e.Channel.DeliveryReceipt?.ContainsKey(_bobId) == true);
        await _bob.GroupChannel.DeliveredMessageAsync(_channelId);
        Assert.Equal(_channelId, (await delivered).Channel.ChannelId);

        var second = Harness.NewId("room2");
        var bobJoined = Events.Next<ChannelUserEventArgs>(h => _bob.GroupChannel.ChannelJoined += h, e => e.Channel.ChannelId == second);
        await _alice.GroupChannel.CreateChannelAsync(new CreateGroupChannelOptions { ChannelId = second, Name = "Second", Members = [_bobId] });
        await bobJoined;
        var reads = new Events.Log<ChannelEventArgs>(h => _alice.GroupChannel.MessageRead += h);
        await _bob.GroupChannel.ReadMessageAsync([_channelId, second]);
        await reads.WaitAsync(l => l.Select(e => e.Channel.ChannelId).Distinct().Count() == 2);
    }

    [Fact]
    public async Task Ban_and_unban_with_events()
    {
        await CarolJoinsAsync();
        Assert.Equal(1018, (await Assert.ThrowsAsync<GitpleLiveException>(() => _alice.GroupChannel.BanAsync(_channelId, _aliceId, 60))).Code);
        var atBob = Events.Next<ChannelBanEventArgs>(h => _bob.GroupChannel.UserBanned += h);
        var atCarol = Events.Next<ChannelBanEventArgs>(h => _carol.GroupChannel.UserBanned += h);
        var ban = await _alice.GroupChannel.BanAsync(_channelId, _carolId, 60, "rude");
        Assert.Equal((_carolId, "rude"), (ban.User.UserId, ban.Reason));
        Assert.InRange(ban.EndAt - ban.StartAt, 59_000, 61_000);
        var b = await atBob;
        Assert.Equal((_channelId, _carolId, "rude"), (b.Channel.ChannelId, b.User.UserId, b.Ban.Reason));
        Assert.Equal(_carolId, (await atCarol).User.UserId);

        Assert.Equal(_carolId, Assert.Single(await _alice.GroupChannel.GetBannedListAsync(_channelId)).User.UserId);
        Assert.Equal(1019, (await Assert.ThrowsAsync<GitpleLiveException>(() => _carol.GroupChannel.JoinChannelAsync(_channelId))).Code);
        Assert.Equal(1008, (await Assert.ThrowsAsync<GitpleLiveException>(() => _carol.GroupChannel.SendMessageAsync(_channelId, "still here?"))).Code);

        var unbanned = Events.Next<ChannelUserEventArgs>(h => _bob.GroupChannel.UserUnbanned += h);
        await _alice.GroupChannel.UnbanAsync(_channelId, _carolId);
        Assert.Equal(_carolId, (await unbanned).User.UserId);
        Assert.Empty(await _alice.GroupChannel.GetBannedListAsync(_channelId));
        await CarolJoinsAsync();
    }

    [Fact]
    public async Task Message_list_paging_meta_and_delete_with_events()
    {
        var sent = new List<Message>();
        for (var i = 1; i <= 5; i++) sent.Add(await _alice.GroupChannel.SendMessageAsync(_channelId, $"m{i}"));

        var newest = await _bob.GroupChannel.GetMessageListAsync(_channelId, new MessageQuery { Limit = 2 });
        Assert.Equal(["m4", "m5"], newest.Messages.Select(m => m.Content));
        var after = await _bob.GroupChannel.GetMessageListAsync(_channelId, new MessageQuery { Mode = MessageListMode.Next, BaseMessageId = sent[1].MessageId, Limit = 2 });
        Assert.Equal(["m3", "m4"], after.Messages.Select(m => m.Content));
        var filtered = await _bob.GroupChannel.GetMessageListAsync(_channelId, new MessageQuery { Content = "m3", Type = "text" });
        Assert.Equal("m3", Assert.Single(filtered.Messages).Content);

        var forward = new List<string?>();
        await foreach (var m in _bob.GroupChannel.GetAllMessagesAsync(_channelId, new MessageQuery { Limit = 2 })) forward.Add(m.Content);
        Assert.Equal(["m1", "m2", "m3", "m4", "m5"], forward);
        var backward = new List<string?>();
        await foreach (var m in _bob.GroupChannel.GetAllMessagesAsync(_channelId, new MessageQuery { Limit = 2, Mode = MessageListMode.Prev })) backward.Add(m.Content);
        Assert.Equal(["m5", "m4", "m3", "m2", "m1"], backward);

        var metaAtAlice = Events.Next<ChannelMessageEventArgs>(h => _alice.GroupChannel.MessageUpdated += h, e => e.Message.Meta?.ContainsKey("pin") == true);
        var withMeta = await _bob.GroupChannel.UpdateMessageMetaAsync(_channelId, sent[0].MessageId, new Dictionary<string, string> { ["pin"] = "yes" });
        Assert.Equal("yes", withMeta.Meta!["pin"]);
        Assert.Equal(sent[0].MessageId, (await metaAtAlice).Message.MessageId);
        var metaGone = Events.Next<ChannelMessageEventArgs>(h => _alice.GroupChannel.MessageUpdated += h, e => e.Message.Meta?.ContainsKey("pin") != true);
        await _bob.GroupChannel.DeleteMessageMetaAsync(_channelId, sent[0].MessageId, ["pin"]);
        await metaGone;

        Assert.Equal(3001, (await Assert.ThrowsAsync<GitpleLiveException>(() => _bob.GroupChannel.DeleteMessageAsync(_channelId, sent[0].MessageId))).Code);
        var deleted = Events.Next<ChannelMessageEventArgs>(h => _bob.GroupChannel.MessageDeleted += h);
        await _alice.GroupChannel.DeleteMessageAsync(_channelId, sent[0].MessageId);
        Assert.Equal(sent[0].MessageId, (await deleted).Message.MessageId);
        Assert.Equal(1005, (await Assert.ThrowsAsync<GitpleLiveException>(() => _alice.GroupChannel.DeleteMessageAsync(_channelId, sent[0].MessageId))).Code);
    }

    [Fact]
    public async Task File_messages_from_a_stream_and_from_a_path()
    {
        var atBob = new Events.Log<ChannelMessageEventArgs>(h => _bob.GroupChannel.MessageReceived += h);
        var bytes = Encoding.UTF8.GetBytes("hello file");
        using var stream = new MemoryStream(bytes);
        var fromStream = await _alice.GroupChannel.SendMessageAsync(_channelId, stream, "hello.txt", "text/plain", new Dictionary<string, string> { ["kind"] = "note" });
        Assert.Equal(("file", "hello.txt", "text/plain", (long)bytes.Length), (fromStream.Type, fromStream.File!.Name, fromStream.File.Type, fromStream.File.Size));
        Assert.Equal("note", fromStream.Meta?["kind"]);

        var path = Path.Combine(Path.GetTempPath(), $"gl-sdk-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(path, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        try
        {
            var fromPath = await _alice.GroupChannel.SendMessageAsync(_channelId, FileUpload.FromFile(path));
            Assert.Equal(("image/png", 7L), (fromPath.File!.Type, fromPath.File.Size));
        }
        finally
        {
            File.Delete(path);
        }

        await atBob.WaitAsync(l => l.Count == 2);
        Assert.All(atBob.Items, e => Assert.Equal("file", e.Message.Type));
        // The URL carries its own grant: a plain GET without headers loads it.
        using var http = new HttpClient();
        Assert.Equal(bytes, await http.GetByteArrayAsync(atBob.Items[0].Message.File!.Url));
        var channel = await _bob.GroupChannel.GetChannelAsync(_channelId);
        Assert.Equal(2, channel.TotalFileCount);
    }

    [Fact]
    public async Task Leaving_and_deleting_stop_the_events()
    {
        var left = Events.Next<ChannelUserEventArgs>(h => _alice.GroupChannel.ChannelLeft += h, e => e.User.UserId == _bobId);
        var bobLeft = Events.Next<ChannelUserEventArgs>(h => _bob.GroupChannel.ChannelLeft += h, e => e.User.UserId == _bobId);
        await _bob.GroupChannel.LeaveChannelAsync(_channelId);
        await left;
        await bobLeft;
        var bobMessages = new Events.Log<ChannelMessageEventArgs>(h => _bob.GroupChannel.MessageReceived += h);
        var aliceMessages = new Events.Log<ChannelMessageEventArgs>(h => _alice.GroupChannel.MessageReceived += h);
        await _alice.GroupChannel.SendMessageAsync(_channelId, "bob is gone");
        await aliceMessages.WaitAsync(l => l.Count == 1);
        await _bob.Core.Dispatcher.DrainAsync();
        Assert.Empty(bobMessages.Items);
        // Bob's client said so itself as well: it unsubscribed from the channel's topic (the server cuts it anyway).
        var channelTopic = $"mqtt/topic/gitple/live/{_h.Server.AppId}/channel/group/{_channelId}/all/#";
        await _h.Network.WaitForClientPacketAsync(p => p.Type == MqttPacket.Unsubscribe && p.Topics.Contains(channelTopic));

        await CarolJoinsAsync();
        var deleted = Events.Next<ChannelEventArgs>(h => _carol.GroupChannel.ChannelDeleted += h);
        await _alice.GroupChannel.DeleteChannelAsync(_channelId);
        Assert.Equal(_channelId, (await deleted).Channel.ChannelId);
        Assert.Equal(1003, (await Assert.ThrowsAsync<GitpleLiveException>(() => _alice.GroupChannel.GetChannelAsync(_channelId))).Code);
    }
}
