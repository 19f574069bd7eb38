using System.Text.Json;
using GitpleLive.Protocol;
using MQTTnet;

namespace GitpleLive.Chat.Internal;

/// <summary>Routing of realtime events: each category to its .NET event and client-side reaction.</summary>
internal sealed partial class ChatCore
{
    internal void OnMqttMessage(ChatSession session, MqttApplicationMessageReceivedEventArgs e)
    {
        EventPayload? payload;
        try
        {
            var reader = new Utf8JsonReader(e.ApplicationMessage.Payload);
            payload = JsonSerializer.Deserialize(ref reader, ChatJsonContext.Default.EventPayload);
        }
        catch (JsonException ex)
        {
            ReportError(new GitpleLiveException(GitpleLiveErrorCode.UnknownError,
                $"unreadable event on {e.ApplicationMessage.Topic}: {ex.Message}", ex));
            return;
        }
        if (payload is null || string.IsNullOrEmpty(payload.Category)) return;
        Route(session, payload);
    }

    /// <summary>Turns one event into its .NET event and client-side reaction; a malformed event is reported, not thrown.</summary>
    internal void Route(ChatSession session, EventPayload payload)
    {
        try
        {
            RouteCore(session, payload);
        }
        catch (Exception ex) when (ex is JsonException or GitpleLiveException)
        {
            ReportError(Wrap(ex));
        }
    }

    private void RouteCore(ChatSession session, EventPayload p)
    {
        if (RouteOpen(session, p)) return;
        var me = session.UserId;
        var group = GroupChannel;
        switch (p.Category)
        {
            case EventCategories.MessageSend:
                Tracker.OnLive(Need(p.Channel, p), Need(p.Message, p), RaiseMessage);
                break;
            case EventCategories.MessageUpdate:
                group.Post(group.RaiseMessageUpdated, new ChannelMessageEventArgs(Need(p.Channel, p), Need(p.Message, p)));
                break;
            case EventCategories.MessageDelete:
                group.Post(group.RaiseMessageDeleted, new ChannelMessageEventArgs(Need(p.Channel, p), Need(p.Message, p)));
                break;
            case EventCategories.ChannelJoin:
                group.Post(group.RaiseChannelJoined, new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p)));
                break;
            case EventCategories.ChannelLeave:
            {
                var args = new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p));
                if (args.User.UserId == me) session.Enqueue(ct => session.LeaveChannelTopicsAsync(args.Channel, managerOnly: false, ct));
                group.Post(group.RaiseChannelLeft, args);
                break;
            }
            case EventCategories.ChannelManagerCreate:
            {
                var args = new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p));
                if (args.User.UserId == me)
                    session.Enqueue(ct => session.SubscribeRuntimeAsync(Topics.ChannelManager(AppId, args.Channel.ChannelId,
                        args.Channel.Type), ct));
                group.Post(group.RaiseManagerCreated, args);
                break;
            }
            case EventCategories.ChannelManagerDelete:
            {
                var args = new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p));
                if (args.User.UserId == me) session.Enqueue(ct => session.LeaveChannelTopicsAsync(args.Channel, managerOnly: true, ct));
                group.Post(group.RaiseManagerDeleted, args);
                break;
            }
            case EventCategories.ChannelBan:
            {
                var ban = Need(p.Data, p).Deserialize(ChatJsonContext.Default.Ban) ?? throw Missing("data", p);
                var args = new ChannelBanEventArgs(Need(p.Channel, p), p.User ?? ban.User, ban);
                if (args.User.UserId == me) session.Enqueue(ct => session.LeaveChannelTopicsAsync(args.Channel, managerOnly: false, ct));
                group.Post(group.RaiseUserBanned, args);
                break;
            }
            case EventCategories.ChannelUnban:
                group.Post(group.RaiseUserUnbanned, new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p)));
                break;
            case EventCategories.ChannelUpdate:
                group.Post(group.RaiseChannelUpdated, new ChannelEventArgs(Need(p.Channel, p)));
                break;
            case EventCategories.ChannelDelete:
            {
                var args = new ChannelEventArgs(Need(p.Channel, p));
                session.Enqueue(ct => session.LeaveChannelTopicsAsync(args.Channel, managerOnly: false, ct));
                group.Post(group.RaiseChannelDeleted, args);
                break;
            }
            case EventCategories.ChannelFreeze:
                group.Post(group.RaiseChannelFrozen, new ChannelEventArgs(Need(p.Channel, p)));
                break;
            case EventCategories.ChannelUnfreeze:
                group.Post(group.RaiseChannelUnfrozen, new ChannelEventArgs(Need(p.Channel, p)));
                break;
            case EventCategories.ChannelMessageReadEvent:
                group.Post(group.RaiseMessageRead, new ChannelEventArgs(Need(p.Channel, p)));
                break;
            case EventCategories.ChannelMessageDeliveredEvent:
                group.Post(group.RaiseMessageDelivered, new ChannelEventArgs(Need(p.Channel, p)));
                break;
            case EventCategories.ReportCreate:
            {
                var report = Need(p.Data, p).Deserialize(ChatJsonContext.Default.Report) ?? throw Missing("data", p);
                group.Post(group.RaiseReportCreated, new ChannelReportEventArgs(Need(p.Channel, p), report));
                break;
            }
            case EventCategories.UserUpdate:
                User.Post(User.RaiseUserUpdated, new UserEventArgs(Need(p.User, p)));
                break;
            case EventCategories.UserDelete:
            {
                var user = Need(p.User, p);
                User.Post(User.RaiseUserDeleted, new UserEventArgs(user));
                if (user.UserId == me) session.UserDeleteSeen = true;
                if (user.UserId == me)
                    _ = Task.Run(() => CloseSessionAsync(session, DisconnectReason.UserDeleted, null));
                break;
            }
            case EventCategories.UserJoinedChannel:
            {
                var args = new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p));
                session.Enqueue(async ct =>
                {
                    await session.JoinChannelTopicsAsync(args.Channel, ct).ConfigureAwait(false);
                    group.Post(group.RaiseChannelJoined, args);
                });
                break;
            }
            case EventCategories.UserBecomeManager:
            {
                var args = new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p));
                session.Enqueue(async ct =>
                {
                    await session.SubscribeRuntimeAsync(Topics.ChannelManager(AppId, args.Channel.ChannelId, args.Channel.Type),
                        ct).ConfigureAwait(false);
                    group.Post(group.RaiseManagerCreated, args);
                });
                break;
            }
            case EventCategories.TypingStart:
                group.Post(group.RaiseTypingStarted, new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p)));
                break;
            case EventCategories.TypingStop:
                group.Post(group.RaiseTypingStopped, new ChannelUserEventArgs(Need(p.Channel, p), Need(p.User, p)));
                break;
            default:
                // Categories this SDK does not know are ignored, so newer servers do not break older clients.
                break;
        }
    }

    private static T Need<T>(T? value, EventPayload p) where T : class =>
        value ?? throw Missing(typeof(T) == typeof(GroupChannel) ? "channel" : typeof(T).Name.ToLowerInvariant(), p);

    private static JsonElement Need(JsonElement? value, EventPayload p) =>
        value is { ValueKind: JsonValueKind.Object } v ? v : throw Missing("data", p);

    private static GitpleLiveException Missing(string part, EventPayload p) =>
        new(GitpleLiveErrorCode.UnknownError, $"event {p.Category} lacks its {part}");
}
