using System.Text.Json;

namespace GitpleLive.Server.Events;

/// <summary>One realtime event of one app, published on one topic.</summary>
public sealed class ChatEvent
{
    public required string AppId { get; init; }
    public required EventTopicKind TopicKind { get; init; }
    /// <summary>The user id for <see cref="EventTopicKind.User"/>, else the channel id.</summary>
    public required string TargetId { get; init; }
    public string ChannelType { get; init; } = "group";
    public required EventPayload Payload { get; init; }
    /// <summary>Cuts applied right after this event has been handed to every subscriber.</summary>
    public IReadOnlyList<SubscriptionCut> CutsAfter { get; init; } = [];

    public string Category => Payload.Category;

    /// <summary>
    /// A message send's place in its channel (its id and the channel's previous last message id, read under the
    /// channel's row lock): nodes relaying events between them restore the commit order from it.
    /// </summary>
    public MessageOrder? Order { get; init; }

    /// <summary>
    /// When the change took its place in its channel's commit order (UTC ticks, read under the channel's row lock; a
    /// message send's on PostgreSQL from the database's clock): orders the change's webhook deliveries within their
    /// channel across nodes. Null: the time the writer's webhook stage stores its delivery, inside the change's transaction
    /// (the time it is queued, for an event not raised in a write). Set on the node that stored the change only (not relayed).
    /// </summary>
    public long? Stamp { get; init; }

    /// <summary>
    /// Set by the webhook stage of the <see cref="StoreWriter"/> once it decided this event's delivery (and stored its row,
    /// when the app wants it) in the transaction of the write that raised it: publishing it after the commit queues nothing.
    /// </summary>
    public bool WebhookStaged { get; internal set; }

    /// <summary>The full MQTT topic name.</summary>
    public string Topic => TopicKind switch
    {
        EventTopicKind.User => Topics.UserBase(AppId, TargetId) + Payload.Category,
        EventTopicKind.ChannelAll => Topics.ChannelBase(AppId, ChannelType, TargetId, manager: false) + Payload.Category,
        _ => Topics.ChannelBase(AppId, ChannelType, TargetId, manager: true) + Payload.Category,
    };

    private byte[]? _bytes;

    /// <summary>
    /// The payload as UTF-8 JSON, serialised once however many subscribers get it. Events that came
    /// from another node carry only these bytes (their <see cref="Payload"/> holds just the category).
    /// </summary>
    public byte[] PayloadBytes
    {
        get => _bytes ??= JsonSerializer.SerializeToUtf8Bytes(WirePayload(), ApiJson.Options);
        init => _bytes = value;
    }

    private EventPayload WirePayload() => Payload with
    {
        AppId = Payload.AppId ?? AppId,
        BanInfo = Payload.BanInfo ?? (Payload.Category == EventCategories.ChannelBan ? Payload.Data : null),
    };
}

/// <summary>A sent message's id and the id of the message that was its channel's last when it was stored.</summary>
public readonly record struct MessageOrder(long MessageId, long PreviousMessageId);
