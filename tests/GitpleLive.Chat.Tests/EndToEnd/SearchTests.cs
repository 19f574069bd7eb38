namespace GitpleLive.Chat.Tests.EndToEnd;

/// <summary>The SDK's message search against the real server: a page, the pager, a channel filter, membership and bad input.</summary>
public sealed class SearchTests : IAsyncLifetime
{
    private Harness _h = null!;
    private ChatClient _alice = null!, _bob = null!;
    private string _aliceId = null!, _bobId = null!, _room = null!, _side = null!;

    public async Task InitializeAsync()
    {
        _h = await Harness.StartAsync();
        (_aliceId, _bobId) = (Harness.NewId("alice"), Harness.NewId("bob"));
        _alice = await _h.ConnectAsync(_aliceId);
        _bob = await _h.ConnectAsync(_bobId);
        (_room, _side) = (Harness.NewId("room"), Harness.NewId("side"));
        await _alice.GroupChannel.CreateChannelAsync(new CreateGroupChannelOptions { ChannelId = _room, Name = "Room", Members = [_bobId] });
        await _alice.GroupChannel.CreateChannelAsync(new CreateGroupChannelOptions { ChannelId = _side, Name = "Side" });
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Search_finds_words_newest_first_and_the_pager_walks_every_page()
    {
        var sent = new List<long>();
        for (var i = 0; i < 5; i++) sent.Add((await _alice.GroupChannel.SendMessageAsync(_room, $"Deploy window {i}")).MessageId);
        await _alice.GroupChannel.SendMessageAsync(_side, "deploy in the side room");
        await _bob.GroupChannel.SendMessageAsync(_room, "coffee?");

        var page = await _bob.GroupChannel.SearchMessagesAsync(new MessageSearchQuery { Text = "deploy", Limit = 2 });
        Assert.Equal(new[] { sent[4], sent[3] }, page.Messages.Select(m => m.MessageId));
        Assert.All(page.Messages, m => Assert.Equal(_room, m.ChannelId));
        Assert.False(string.IsNullOrEmpty(page.Next));
        var second = await _bob.GroupChannel.SearchMessagesAsync(new MessageSearchQuery { Text = "deploy", Limit = 2, Next = page.Next });
        Assert.Equal(new[] { sent[2], sent[1] }, second.Messages.Select(m => m.MessageId));

        // Bob is not in the side room: the pager sees the five of the shared room only.
        var walked = new List<long>();
        await foreach (var m in _bob.GroupChannel.SearchAllMessagesAsync(new MessageSearchQuery { Text = "DEPLOY win", Limit = 2 })) walked.Add(m.MessageId);
        Assert.Equal(sent.AsEnumerable().Reverse(), walked);
        // Alice sees both rooms; a channel filter narrows it.
        var alices = new List<Message>();
        await foreach (var m in _alice.GroupChannel.SearchAllMessagesAsync(new MessageSearchQuery { Text = "deploy" })) alices.Add(m);
        Assert.Equal(6, alices.Count);
        Assert.Equal(_side, alices[0].ChannelId);
        var side = await _alice.GroupChannel.SearchMessagesAsync(new MessageSearchQuery { Text = "deploy", ChannelId = _side });
        Assert.Equal("deploy in the side room", Assert.Single(side.Messages).Content);
        Assert.Null(side.Next);
    }

    [Fact]
    public async Task Refusals_come_back_as_codes()
    {
        Assert.Equal(1008, (await Assert.ThrowsAsync<GitpleLiveException>(() =>
            _bob.GroupChannel.SearchMessagesAsync(new MessageSearchQuery { Text = "x", ChannelId = _side }))).Code);
        Assert.Equal(1001, (await Assert.ThrowsAsync<GitpleLiveException>(() =>
            _bob.GroupChannel.SearchMessagesAsync(new MessageSearchQuery { Text = new string('q', 300) }))).Code);
        Assert.Equal(60101, (await Assert.ThrowsAsync<GitpleLiveException>(() =>
            _bob.GroupChannel.SearchMessagesAsync(new MessageSearchQuery { Text = "  " }))).Code);
        // Query syntax is text: no error.
        Assert.Empty((await _bob.GroupChannel.SearchMessagesAsync(new MessageSearchQuery { Text = "\"NEAR( *" })).Messages);
    }
}
