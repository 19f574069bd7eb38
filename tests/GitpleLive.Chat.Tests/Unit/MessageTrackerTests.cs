using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat.Tests.Unit;

public class MessageTrackerTests
{
    private static readonly GroupChannel C1 = new() { ChannelId = "c1" };
    private static readonly GroupChannel C2 = new() { ChannelId = "c2" };
    private static Message M(long id, string channel = "c1") => new() { MessageId = id, ChannelId = channel };

    private readonly List<(string Channel, long Id)> _raised = [];
    private void Raise(GroupChannel c, Message m) => _raised.Add((c.ChannelId, m.MessageId));

    [Fact]
    public void Live_messages_pass_once_in_order_and_repeats_are_dropped()
    {
        var t = new MessageTracker();
        t.SetBaseline("c1", 10);
        foreach (var id in new long[] { 9, 10, 11, 12, 11, 13 }) t.OnLive(C1, M(id), Raise);
        Assert.Equal([("c1", 11L), ("c1", 12L), ("c1", 13L)], _raised);
        Assert.Equal(13, t.LastSeen("c1"));
    }

    [Fact]
    public void Without_a_baseline_the_first_live_message_sets_it()
    {
        var t = new MessageTracker();
        t.OnLive(C1, M(5), Raise);
        t.OnLive(C1, M(5), Raise);
        Assert.Equal([("c1", 5L)], _raised);
    }

    [Fact]
    public void Catch_up_raises_fetched_then_held_live_messages_without_duplicates()
    {
        var t = new MessageTracker();
        t.SetBaseline("c1", 10);
        Assert.Equal(10, t.BeginCatchUp("c1"));
        // Live events arrive while the fetch runs: some the fetch also returns, one it does not.
        t.OnLive(C1, M(13), Raise);
        t.OnLive(C1, M(14), Raise);
        Assert.Empty(_raised);
        foreach (var id in new long[] { 11, 12, 13 }) t.OnFetched(C1, M(id), Raise);
        t.EndCatchUp("c1", Raise);
        Assert.Equal([11L, 12L, 13L, 14L], _raised.Select(r => r.Id));
        // After catching up, live events flow again; a late duplicate is dropped.
        t.OnLive(C1, M(14), Raise);
        t.OnLive(C1, M(15), Raise);
        Assert.Equal([11L, 12L, 13L, 14L, 15L], _raised.Select(r => r.Id));
    }

    [Fact]
    public void Catching_up_one_channel_does_not_hold_another()
    {
        var t = new MessageTracker();
        t.SetBaseline("c1", 1);
        t.SetBaseline("c2", 1);
        t.BeginCatchUp("c1");
        t.OnLive(C2, M(2, "c2"), Raise);
        t.OnLive(C1, M(2), Raise);
        Assert.Equal([("c2", 2L)], _raised);
        t.EndCatchUp("c1", Raise);
        Assert.Equal([("c2", 2L), ("c1", 2L)], _raised);
    }

    [Fact]
    public void Held_messages_are_released_in_id_order()
    {
        var t = new MessageTracker();
        t.SetBaseline("c1", 0);
        t.BeginCatchUp("c1");
        t.OnLive(C1, M(3), Raise);
        t.OnLive(C1, M(2), Raise);
        t.EndCatchUp("c1", Raise);
        Assert.Equal([2L, 3L], _raised.Select(r => r.Id));
    }

    [Fact]
    public void Baselines_only_move_forward_and_forgotten_channels_start_over()
    {
        var t = new MessageTracker();
        t.SetBaseline("c1", 10);
        t.SetBaseline("c1", 5);
        Assert.Equal(10, t.LastSeen("c1"));
        Assert.True(t.IsKnown("c1"));
        t.Forget("c1");
        Assert.False(t.IsKnown("c1"));
        t.SetBaseline("c2", 1);
        t.SetBaseline("c3", 1);
        t.RetainOnly(new HashSet<string> { "c3" });
        Assert.False(t.IsKnown("c2"));
        Assert.True(t.IsKnown("c3"));
    }
}
