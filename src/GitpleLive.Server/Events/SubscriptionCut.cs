namespace GitpleLive.Server.Events;

/// <summary>
/// A subscription cut that follows an event: after the event is delivered, the user loses
/// the channel's <c>all</c> and <c>manager</c> topics (or only <c>manager</c>).
/// </summary>
public sealed record SubscriptionCut(string UserId, string ChannelType, string ChannelId, bool ManagerOnly)
{
    /// <summary>The <see cref="UserId"/> of a cut that takes the channel's topics from every subscriber (a deleted open channel).</summary>
    public const string Everyone = "";
}
