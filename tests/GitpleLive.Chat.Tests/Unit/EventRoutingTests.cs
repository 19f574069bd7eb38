using System.Text.Json;
using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat.Tests.Unit;

/// <summary>Every realtime category reaches its typed event with the seed's arguments (no server needed).</summary>
public sealed class EventRoutingTests : IAsyncLifetime
{
    private const string Channel = """{"channel_id":"c1","type":"group","name":"Room","freeze":false,"total_message_count":1,"total_file_count":0,"created_at":1,"updated_at":2}""";
    private const string Bob = """{"user_id":"bob","name":"Bob","created_at":1,"updated_at":2}""";
    private const string Me = """{"user_id":"alice","name":"Alice","created_at":1,"updated_at":2}""";
    private static string Msg(long id) => $$"""{"message_id":{{id}},"channel_id":"c1","type":"text","user":{{Bob}},"content":"m{{id}}","created_at":3,"updated_at":3}""";

    private readonly ChatClient _client = new(new ChatClientOptions { Host = "127.0.0.1:9", AppId = "app", UseTls = false });
    private ChatSession _session = null!;
    private readonly List<(string Event, object Args)> _raised = [];

    public Task InitializeAsync()
    {
        _session = new ChatSession(_client.Core, "alice", null);
        var g = _client.GroupChannel;
        void On<T>(string name, Action<EventHandler<T>> add) => add((_, e) => { lock (_raised) _raised.Add((name, e!)); });
        On<ChannelMessageEventArgs>("received", h => g.MessageReceived += h);
        On<ChannelMessageEventArgs>("updated", h => g.MessageUpdated += h);
        On<ChannelMessageEventArgs>("deleted", h => g.MessageDeleted += h);
        On<ChannelEventArgs>("channel_update", h => g.ChannelUpdated += h);
        On<ChannelEventArgs>("channel_delete", h => g.ChannelDeleted += h);
        On<ChannelUserEventArgs>("join", h => g.ChannelJoined += h);
        On<ChannelUserEventArgs>("leave", h => g.ChannelLeft += h);
        On<ChannelUserEventArgs>("manager_create", h => g.ManagerCreated += h);
        On<ChannelUserEventArgs>("manager_delete", h => g.ManagerDeleted += h);
        On<ChannelEventArgs>("freeze", h => g.ChannelFrozen += h);
        On<ChannelEventArgs>("unfreeze", h => g.ChannelUnfrozen += h);
        On<ChannelBanEventArgs>("ban", h => g.UserBanned += h);
        On<ChannelUserEventArgs>("unban", h => g.UserUnbanned += h);
        On<ChannelReportEventArgs>("report", h => g.ReportCreated += h);
        On<ChannelEventArgs>("read", h => g.MessageRead += h);
        On<ChannelEventArgs>("delivered", h => g.MessageDelivered += h);
        On<UserEventArgs>("user_update", h => _client.User.UserUpdated += h);
        On<UserEventArgs>("user_delete", h => _client.User.UserDeleted += h);
        On<ChatErrorEventArgs>("error", h => _client.Error += h);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _session.Cancel();
        await _client.DisposeAsync();
    }

    private async Task<(string Event, object Args)> Route(string json)
    {
        var before = _raised.Count;
        _client.Core.Route(_session, JsonSerializer.Deserialize(json, ChatJsonContext.Default.EventPayload)!);
        await _client.Core.Dispatcher.DrainAsync();
        lock (_raised) return Assert.Single(_raised.Skip(before));
    }

    [Theory]
    [InlineData("group:message_update", "updated")]
    [InlineData("group:message_delete", "deleted")]
    public async Task Message_events_carry_channel_and_message(string category, string expected)
    {
        var (name, args) = await Route($$"""{"category":"{{category}}","channel":{{Channel}},"message":{{Msg(7)}}}""");
        Assert.Equal(expected, name);
        var e = Assert.IsType<ChannelMessageEventArgs>(args);
        Assert.Equal(("c1", 7L, "bob"), (e.Channel.ChannelId, e.Message.MessageId, e.Message.User.UserId));
    }

    [Fact]
    public async Task Message_send_is_raised_once_per_id()
    {
        var (name, args) = await Route($$"""{"category":"group:message_send","channel":{{Channel}},"message":{{Msg(7)}}}""");
        Assert.Equal("received", name);
        Assert.Equal("m7", Assert.IsType<ChannelMessageEventArgs>(args).Message.Content);
        _client.Core.Route(_session, JsonSerializer.Deserialize($$"""{"category":"group:message_send","channel":{{Channel}},"message":{{Msg(7)}}}""", ChatJsonContext.Default.EventPayload)!);
        await _client.Core.Dispatcher.DrainAsync();
        Assert.Single(_raised);
    }

    [Theory]
    [InlineData("group:channel_join", "join")]
    [InlineData("group:channel_leave", "leave")]
    [InlineData("group:channel_manager_create", "manager_create")]
    [InlineData("group:channel_manager_delete", "manager_delete")]
    [InlineData("group:channel_unban", "unban")]
    public async Task Member_events_carry_channel_and_user(string category, string expected)
    {
        var (name, args) = await Route($$"""{"category":"{{category}}","channel":{{Channel}},"user":{{Bob}}}""");
        Assert.Equal(expected, name);
        var e = Assert.IsType<ChannelUserEventArgs>(args);
        Assert.Equal(("c1", "bob"), (e.Channel.ChannelId, e.User.UserId));
    }

    [Theory]
    [InlineData("group:channel_update", "channel_update")]
    [InlineData("group:channel_delete", "channel_delete")]
    [InlineData("group:channel_freeze", "freeze")]
    [InlineData("group:channel_unfreeze", "unfreeze")]
    [InlineData("group:channel_message_read_event", "read")]
    [InlineData("group:channel_message_delivered_event", "delivered")]
    public async Task Channel_events_carry_the_channel(string category, string expected)
    {
        var channel = Channel.TrimEnd('}') + ""","read_receipt":{"bob":5},"unread":{"bob":0}}""";
        var (name, args) = await Route($$"""{"category":"{{category}}","channel":{{channel}}}""");
        Assert.Equal(expected, name);
        var e = Assert.IsType<ChannelEventArgs>(args);
        Assert.Equal("c1", e.Channel.ChannelId);
        Assert.Equal(5, e.Channel.ReadReceipt!["bob"]);
    }

    [Fact]
    public async Task Ban_carries_channel_user_and_ban()
    {
        var (name, args) = await Route("""{"category":"group:channel_ban","channel":""" + Channel + ""","user":""" + Bob + ""","data":{"user":""" + Bob + ""","start_at":10,"end_at":20,"reason":"spam"}}""");
        Assert.Equal("ban", name);
        var e = Assert.IsType<ChannelBanEventArgs>(args);
        Assert.Equal(("c1", "bob", 20L, "spam"), (e.Channel.ChannelId, e.User.UserId, e.Ban.EndAt, e.Ban.Reason));
    }

    [Fact]
    public async Task Report_carries_channel_and_report()
    {
        var (name, args) = await Route("""{"category":"group:report_create","channel":""" + Channel + ""","data":{"report_id":"r1","report_type":"user","report_category":"spam","reporting_user":""" + Me + ""","user":""" + Bob + ""","created_at":1,"updated_at":1}}""");
        Assert.Equal("report", name);
        var e = Assert.IsType<ChannelReportEventArgs>(args);
        Assert.Equal(("c1", "r1", "bob", "alice"), (e.Channel.ChannelId, e.Report.ReportId, e.Report.User!.UserId, e.Report.ReportingUser.UserId));
    }

    [Theory]
    [InlineData("user_update", "user_update")]
    [InlineData("user_delete", "user_delete")]
    public async Task User_events_carry_the_user(string category, string expected)
    {
        var (name, args) = await Route($$"""{"category":"{{category}}","user":{{Bob}}}""");
        Assert.Equal(expected, name);
        Assert.Equal("bob", Assert.IsType<UserEventArgs>(args).User.UserId);
    }

    [Fact]
    public async Task Joined_channel_and_become_manager_are_raised_after_the_subscription_work()
    {
        _session.StartBackgroundWork();
        var joined = new TaskCompletionSource<ChannelUserEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        var manager = new TaskCompletionSource<ChannelUserEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        _client.GroupChannel.ChannelJoined += (_, e) => joined.TrySetResult(e);
        _client.GroupChannel.ManagerCreated += (_, e) => manager.TrySetResult(e);
        _client.Core.Route(_session, JsonSerializer.Deserialize($$"""{"category":"user_joined_channel","channel":{{Channel}},"user":{{Me}}}""", ChatJsonContext.Default.EventPayload)!);
        _client.Core.Route(_session, JsonSerializer.Deserialize($$"""{"category":"user_become_manager","channel":{{Channel}},"user":{{Me}}}""", ChatJsonContext.Default.EventPayload)!);
        var j = await joined.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var m = await manager.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(("c1", "alice"), (j.Channel.ChannelId, j.User.UserId));
        Assert.Equal(("c1", "alice"), (m.Channel.ChannelId, m.User.UserId));
    }

    [Fact]
    public async Task Incomplete_events_are_reported_and_unknown_ones_ignored()
    {
        var (name, args) = await Route("""{"category":"group:message_send","channel":{"channel_id":"c1"}}""");
        Assert.Equal("error", name);
        Assert.Contains("message", Assert.IsType<ChatErrorEventArgs>(args).Exception.Message);
        _client.Core.Route(_session, JsonSerializer.Deserialize("""{"category":"group:something_new"}""", ChatJsonContext.Default.EventPayload)!);
        await _client.Core.Dispatcher.DrainAsync();
        Assert.Single(_raised);
    }
}
