namespace GitpleLive.Protocol;

/// <summary>The <c>category</c> of every realtime event (PROTOCOL §6), the last segment of its topic.</summary>
public static class EventCategories
{
    /// <summary>A message was sent (channel, message).</summary>
    public const string MessageSend = "group:message_send";
    /// <summary>A message was changed (channel, message).</summary>
    public const string MessageUpdate = "group:message_update";
    /// <summary>A message was deleted (channel, message).</summary>
    public const string MessageDelete = "group:message_delete";
    /// <summary>A user joined the channel (channel, user).</summary>
    public const string ChannelJoin = "group:channel_join";
    /// <summary>A user left or was removed from the channel (channel, user).</summary>
    public const string ChannelLeave = "group:channel_leave";
    /// <summary>A member became a manager (channel, user).</summary>
    public const string ChannelManagerCreate = "group:channel_manager_create";
    /// <summary>A manager lost manager rights (channel, user).</summary>
    public const string ChannelManagerDelete = "group:channel_manager_delete";
    /// <summary>A user was banned (channel, user, data = ban).</summary>
    public const string ChannelBan = "group:channel_ban";
    /// <summary>A ban was lifted (channel, user).</summary>
    public const string ChannelUnban = "group:channel_unban";
    /// <summary>The channel's name, picture or meta changed (channel).</summary>
    public const string ChannelUpdate = "group:channel_update";
    /// <summary>The channel was deleted (channel).</summary>
    public const string ChannelDelete = "group:channel_delete";
    /// <summary>The channel was frozen (channel).</summary>
    public const string ChannelFreeze = "group:channel_freeze";
    /// <summary>The channel was unfrozen (channel).</summary>
    public const string ChannelUnfreeze = "group:channel_unfreeze";
    /// <summary>A member's read receipt moved (channel with <c>read_receipt</c> and <c>unread</c>).</summary>
    public const string ChannelMessageReadEvent = "group:channel_message_read_event";
    /// <summary>A member's delivery receipt moved (channel with <c>delivery_receipt</c>).</summary>
    public const string ChannelMessageDeliveredEvent = "group:channel_message_delivered_event";
    /// <summary>A report was filed (channel, data = report); on the manager topic.</summary>
    public const string ReportCreate = "group:report_create";
    /// <summary>A user's profile changed (user); on the user topic.</summary>
    public const string UserUpdate = "user_update";
    /// <summary>A user was deleted (user); on the user topic.</summary>
    public const string UserDelete = "user_delete";
    /// <summary>The user joined a channel they do not hear yet (user, channel); on the user topic.</summary>
    public const string UserJoinedChannel = "user_joined_channel";
    /// <summary>The user became a manager of a channel (user, channel); on the user topic.</summary>
    public const string UserBecomeManager = "user_become_manager";
    /// <summary>A message was sent in an open channel (channel, message).</summary>
    public const string OpenMessageSend = "open:message_send";
    /// <summary>A message of an open channel was changed (channel, message).</summary>
    public const string OpenMessageUpdate = "open:message_update";
    /// <summary>A message of an open channel was deleted (channel, message).</summary>
    public const string OpenMessageDelete = "open:message_delete";
    /// <summary>An open channel's name, picture or meta changed (channel).</summary>
    public const string OpenChannelUpdate = "open:channel_update";
    /// <summary>An open channel was deleted (channel); every participant loses its topic after it.</summary>
    public const string OpenChannelDelete = "open:channel_delete";
    /// <summary>An open channel was frozen (channel).</summary>
    public const string OpenChannelFreeze = "open:channel_freeze";
    /// <summary>An open channel was unfrozen (channel).</summary>
    public const string OpenChannelUnfreeze = "open:channel_unfreeze";
    /// <summary>A user was banned from an open channel (channel, user, data = ban); they lose its topic after it.</summary>
    public const string OpenChannelBan = "open:channel_ban";
    /// <summary>A ban in an open channel was lifted (channel, user).</summary>
    public const string OpenChannelUnban = "open:channel_unban";
    /// <summary>A user became a manager of an open channel (channel, user).</summary>
    public const string OpenChannelManagerCreate = "open:channel_manager_create";
    /// <summary>A manager of an open channel lost manager rights (channel, user).</summary>
    public const string OpenChannelManagerDelete = "open:channel_manager_delete";
    /// <summary>
    /// The user left an open channel (channel, user); on that user's own topic only, after which their subscription to
    /// the channel is cut. Our extension: the official SDKs do not know it.
    /// </summary>
    public const string OpenChannelExit = "open:channel_exit";
    /// <summary>A member started typing (channel, user); an extension (PROTOCOL §10) the official SDKs ignore.</summary>
    public const string TypingStart = "group:typing_start";
    /// <summary>A member stopped typing, or their typing expired after 5 s (channel, user); an extension (PROTOCOL §10).</summary>
    public const string TypingStop = "group:typing_stop";
}
