using GitpleLive.Server.Events;
using GitpleLive.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace GitpleLive.Server.Tests;

/// <summary>
/// <see cref="RelayOrder"/>: sends into one channel relayed between nodes out of commit order are delivered in it,
/// from the chain of ids their events carry; a missing predecessor holds the channel for at most the hold limit.
/// </summary>
public class RelayOrderTests
{
    private static ChatEvent Send(string channel, long id, long previous) => new()
    {
        AppId = "app", TopicKind = EventTopicKind.ChannelAll, TargetId = channel,
        Payload = new EventPayload(EventCategories.MessageSend), Order = new MessageOrder(id, previous),
    };

    private static ChatEvent Other(string channel) => new()
    {
        AppId = "app", TopicKind = EventTopicKind.ChannelAll, TargetId = channel, Payload = new EventPayload(EventCategories.MessageUpdate),
    };

    private static string Name(ChatEvent e) => e.Order is { } o ? $"{e.TargetId}:{o.MessageId}" : $"{e.TargetId}:{e.Category}";

    [Fact]
    public void Sends_that_overtook_each_other_are_delivered_in_id_order_and_later_events_wait_behind()
    {
        var delivered = new List<string>();
        using var order = new RelayOrder(e => delivered.Add(Name(e)), new FakeTimeProvider());
        order.Accept(Send("a", 10, 9));   // first seen: delivered
        order.Accept(Send("a", 12, 11));  // 11 not delivered yet: held
        order.Accept(Other("a"));         // behind the held send
        order.Accept(Send("b", 5, 3));    // another channel is not held up
        order.Accept(Send("a", 11, 10));  // completes the chain
        Assert.Equal(["a:10", "b:5", "a:11", "a:12", "a:group:message_update"], delivered);
        Assert.Equal(0, order.Holding);
    }

    [Fact]
    public void A_delete_that_lowered_the_last_id_holds_nothing_and_a_lost_predecessor_holds_at_most_the_limit()
    {
        var delivered = new List<string>();
        var time = new FakeTimeProvider();
        using var order = new RelayOrder(e => delivered.Add(Name(e)), time);
        order.Accept(Send("a", 10, 9));
        order.Accept(Send("a", 11, 8));   // message 10 was deleted meanwhile: the previous id went down
        order.Accept(Send("a", 20, 15));  // 15's event never comes (its node stopped after the commit)
        Assert.Equal(["a:10", "a:11"], delivered);
        Assert.Equal(1, order.Holding);
        time.Advance(RelayOrder.HoldLimit + TimeSpan.FromMilliseconds(200));
        Assert.Equal(["a:10", "a:11", "a:20"], delivered);
        order.Accept(Send("a", 21, 20));
        Assert.Equal(["a:10", "a:11", "a:20", "a:21"], delivered);
    }
}
