namespace GitpleLive.Chat.Tests.EndToEnd;

/// <summary>
/// The SDK's message extensions against the real server: edits, reactions, replies, mentions and typing, each with the
/// typed event the other member's client raises, and the server's refusals as <see cref="GitpleLiveException"/> codes.
/// </summary>
public sealed class MessageExtensionTests : IAsyncLifetime
{
    private Harness _h = null!;
    private ChatClient _alice = null!, _bob = null!;
    private string _aliceId = null!, _bobId = null!, _channelId = null!;

    public async Task InitializeAsync()
    {
        _h = await Harness.StartAsync();
        (_aliceId, _bobId) = (Harness.NewId("alice"), Harness.NewId("bob"));
        _alice = await _h.ConnectAsync(_aliceId);
        _bob = await _h.ConnectAsync(_bobId);
        _channelId = Harness.NewId("room");
        var bobJoined = Events.Next<ChannelUserEventArgs>(h => _bob.GroupChannel.ChannelJoined += h, e => e.Channel.ChannelId == _channelId);
        var aliceJoined = Events.Next<ChannelUserEventArgs>(h => _alice.GroupChannel.ChannelJoined += h, e => e.Channel.ChannelId == _channelId);
        await _alice.GroupChannel.CreateChannelAsync(new CreateGroupChannelOptions { ChannelId = _channelId, Name = "Room", Members = [_bobId] });
        await bobJoined;
        await aliceJoined;
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static async Task<int> CodeOf(Func<Task> call) => (await Assert.ThrowsAsync<GitpleLiveException>(call)).Code;

    [Fact]
    public async Task Edit_raises_message_updated_with_edited_at()
    {
        var sent = await _bob.GroupChannel.SendMessageAsync(_channelId, "helo");
        var atAlice = Events.Next<ChannelMessageEventArgs>(h => _alice.GroupChannel.MessageUpdated += h, e => e.Message.MessageId == sent.MessageId);
        var edited = await _bob.GroupChannel.UpdateMessageAsync(_channelId, sent.MessageId, "hello");
        Assert.Equal("hello", edited.Content);
        Assert.NotNull(edited.EditedAt);
        var e = await atAlice;
        Assert.Equal(("hello", edited.EditedAt), (e.Message.Content, e.Message.EditedAt));
        // Only the sender: alice manages the channel and still may not rewrite bob's words.
        Assert.Equal(3001, await CodeOf(() => _alice.GroupChannel.UpdateMessageAsync(_channelId, sent.MessageId, "rewritten")));
        Assert.Equal(1005, await CodeOf(() => _bob.GroupChannel.UpdateMessageAsync(_channelId, 1L << 52, "x")));
        Assert.Equal(60101, await CodeOf(() => _bob.GroupChannel.UpdateMessageAsync(_channelId, sent.MessageId, "")));
    }

    [Fact]
    public async Task Reactions_aggregate_and_raise_message_updated()
    {
        var sent = await _alice.GroupChannel.SendMessageAsync(_channelId, "vote");
        var atAlice = Events.Next<ChannelMessageEventArgs>(h => _alice.GroupChannel.MessageUpdated += h, e => e.Message.Reactions is { Count: 1 });
        var after = await _bob.GroupChannel.AddReactionAsync(_channelId, sent.MessageId, "👍");
        var reaction = Assert.Single(after.Reactions!);
        Assert.Equal(("👍", 1, _bobId), (reaction.Key, reaction.Count, Assert.Single(reaction.UserIds)));
        var heard = Assert.Single((await atAlice).Message.Reactions!);
        Assert.Equal(("👍", 1, _bobId), (heard.Key, heard.Count, Assert.Single(heard.UserIds)));

        var both = await _alice.GroupChannel.AddReactionAsync(_channelId, sent.MessageId, "👍");
        Assert.Equal(2, both.Reactions![0].Count);
        Assert.Equal([_bobId, _aliceId], both.Reactions[0].UserIds);
        var page = await _bob.GroupChannel.GetMessageListAsync(_channelId);
        Assert.Equal(2, page.Messages.Single().Reactions![0].Count);
        var removed = await _bob.GroupChannel.RemoveReactionAsync(_channelId, sent.MessageId, "👍");
        Assert.Equal([_aliceId], removed.Reactions![0].UserIds);
        Assert.Equal(60101, await CodeOf(() => _bob.GroupChannel.AddReactionAsync(_channelId, sent.MessageId, new string('k', 33))));
        Assert.Equal(1005, await CodeOf(() => _bob.GroupChannel.AddReactionAsync(_channelId, 1L << 52, "x")));
    }

    [Fact]
    public async Task Replies_and_mentions_go_with_the_send_and_the_thread_pages()
    {
        var parent = await _alice.GroupChannel.SendTextMessageAsync(_channelId, "@bob, thoughts?",
            new SendMessageOptions { MentionedUserIds = [_bobId] });
        Assert.Equal([_bobId], parent.MentionedUserIds);
        var replyAtAlice = Events.Next<ChannelMessageEventArgs>(h => _alice.GroupChannel.MessageReceived += h, e => e.Message.ParentMessageId == parent.MessageId);
        var parentAtAlice = Events.Next<ChannelMessageEventArgs>(h => _alice.GroupChannel.MessageUpdated += h, e => e.Message.MessageId == parent.MessageId);
        var reply = await _bob.GroupChannel.SendTextMessageAsync(_channelId, "yes",
            new SendMessageOptions { ParentMessageId = parent.MessageId, Meta = new Dictionary<string, string> { ["k"] = "v" } });
        Assert.Equal((parent.MessageId, "v"), (reply.ParentMessageId, reply.Meta!["k"]));
        Assert.Equal(reply.MessageId, (await replyAtAlice).Message.MessageId);
        var updatedParent = (await parentAtAlice).Message;
        Assert.Equal(1, updatedParent.ReplyCount);
        Assert.Equal(reply.CreatedAt, updatedParent.LastReplyAt);

        var file = await _bob.GroupChannel.SendFileMessageAsync(_channelId,
            FileUpload.FromStream(new MemoryStream("notes"u8.ToArray()), "notes.txt", "text/plain"),
            new SendMessageOptions { ParentMessageId = parent.MessageId, MentionedUserIds = [_aliceId] });
        Assert.Equal((parent.MessageId, _aliceId), (file.ParentMessageId, Assert.Single(file.MentionedUserIds!)));

        var replies = await _alice.GroupChannel.GetRepliesAsync(_channelId, parent.MessageId);
        Assert.Equal([reply.MessageId, file.MessageId], replies.Messages.Select(m => m.MessageId));
        var walked = new List<long>();
        await foreach (var m in _alice.GroupChannel.GetAllRepliesAsync(_channelId, parent.MessageId, pageSize: 1)) walked.Add(m.MessageId);
        Assert.Equal([reply.MessageId, file.MessageId], walked);

        Assert.Equal(1001, await CodeOf(() => _bob.GroupChannel.SendTextMessageAsync(_channelId, "nested",
            new SendMessageOptions { ParentMessageId = reply.MessageId })));
        Assert.Equal(1004, await CodeOf(() => _bob.GroupChannel.SendTextMessageAsync(_channelId, "who?",
            new SendMessageOptions { MentionedUserIds = ["nobody-" + Guid.NewGuid().ToString("N")[..8]] })));
    }

    [Fact]
    public async Task Typing_raises_typing_started_and_stopped()
    {
        var started = Events.Next<ChannelUserEventArgs>(h => _alice.GroupChannel.TypingStarted += h, e => e.User.UserId == _bobId);
        var stopped = Events.Next<ChannelUserEventArgs>(h => _alice.GroupChannel.TypingStopped += h, e => e.User.UserId == _bobId);
        await _bob.GroupChannel.SetTypingAsync(_channelId, true);
        Assert.Equal(_channelId, (await started).Channel.ChannelId);
        // The stop is held until a second has passed since the start, then delivered.
        await _bob.GroupChannel.SetTypingAsync(_channelId, false);
        Assert.Equal(_channelId, (await stopped).Channel.ChannelId);

        var stranger = await _h.ConnectAsync(Harness.NewId("eve"));
        Assert.Equal(1008, await CodeOf(() => stranger.GroupChannel.SetTypingAsync(_channelId, true)));
    }
}
