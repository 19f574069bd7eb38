using System.Collections.Frozen;

namespace GitpleLive.Server.Webhooks;

/// <summary>
/// The categories a webhook delivers: every stored change's realtime category (PROTOCOL §6/§10), two changes that have
/// no realtime event of their own (<see cref="ChannelCreate"/>, <see cref="UserCreate"/>), and <see cref="Ping"/>.
/// Not delivered: node events, what is not stored (typing), and the user-topic twins of a channel change
/// (<c>user_joined_channel</c>, <c>user_become_manager</c>: the change is delivered once, as its channel category).
/// </summary>
public static class WebhookCategories
{
    /// <summary>A channel was created (channel, data = <c>{ member_ids, manager_ids }</c>).</summary>
    public const string ChannelCreate = "group:channel_create";
    /// <summary>A user was created (user).</summary>
    public const string UserCreate = "user_create";
    /// <summary>A test delivery (<c>POST /v1/app/webhooks/ping</c>); sent whatever the categories say.</summary>
    public const string Ping = "webhook:ping";
    /// <summary>Every category, in settings.</summary>
    public const string All = "*";

    /// <summary>The categories an app may choose, in a stable order.</summary>
    public static readonly IReadOnlyList<string> Known =
    [
        EventCategories.MessageSend, EventCategories.MessageUpdate, EventCategories.MessageDelete,
        ChannelCreate, EventCategories.ChannelUpdate, EventCategories.ChannelDelete,
        EventCategories.ChannelFreeze, EventCategories.ChannelUnfreeze,
        EventCategories.ChannelJoin, EventCategories.ChannelLeave,
        EventCategories.ChannelManagerCreate, EventCategories.ChannelManagerDelete,
        EventCategories.ChannelBan, EventCategories.ChannelUnban,
        EventCategories.ChannelMessageReadEvent, EventCategories.ChannelMessageDeliveredEvent,
        EventCategories.ReportCreate,
        UserCreate, EventCategories.UserUpdate, EventCategories.UserDelete,
        // Open channels (PROTOCOL §10), delivered once that feature publishes them.
        "open:message_send", "open:message_update", "open:message_delete", "open:channel_update", "open:channel_delete",
        "open:channel_freeze", "open:channel_unfreeze", "open:channel_ban", "open:channel_unban",
        "open:channel_manager_create", "open:channel_manager_delete",
    ];

    private static readonly FrozenSet<string> KnownSet = Known.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Whether a published event of this category is a change a webhook delivers.</summary>
    public static bool IsDelivered(string category) => KnownSet.Contains(category);
}
