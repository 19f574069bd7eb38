using System.Text.Json;
using GitpleLive.Protocol;

namespace GitpleLive.Chat.Internal;

/// <summary>Open channel events (<c>open:*</c>) and subscriptions: routed to <see cref="OpenChannelClient"/>.</summary>
internal sealed partial class ChatCore
{
    /// <summary>Subscribes the current connection to the open channel's topic (a refusal is reported as 60903).</summary>
    public Task SubscribeOpenAsync(string channelId, CancellationToken cancellationToken)
    {
        ChatSession? session;
        lock (_gate) session = _session;
        return session is null
            ? Task.CompletedTask
            : session.SubscribeRuntimeAsync(Topics.ChannelAll(AppId, channelId, "open"), cancellationToken);
    }

    /// <summary>Handles an <c>open:*</c> event; false for any other category.</summary>
    private bool RouteOpen(ChatSession session, EventPayload p)
    {
        if (!p.Category.StartsWith("open:", StringComparison.Ordinal)) return false;
        var open = Client.OpenChannel;
        var me = session.UserId;
        OpenChannel Channel() => ToOpen(Need(p.Channel, p));
        switch (p.Category)
        {
            case EventCategories.OpenMessageSend:
                open.Post(open.RaiseMessageReceived, new OpenChannelMessageEventArgs(Channel(), Need(p.Message, p)));
                break;
            case EventCategories.OpenMessageUpdate:
                open.Post(open.RaiseMessageUpdated, new OpenChannelMessageEventArgs(Channel(), Need(p.Message, p)));
                break;
            case EventCategories.OpenMessageDelete:
                open.Post(open.RaiseMessageDeleted, new OpenChannelMessageEventArgs(Channel(), Need(p.Message, p)));
                break;
            case EventCategories.OpenChannelUpdate:
                open.Post(open.RaiseChannelUpdated, new OpenChannelEventArgs(Channel()));
                break;
            case EventCategories.OpenChannelDelete:
            {
                var args = new OpenChannelEventArgs(Channel());
                open.Forget(args.Channel.ChannelId);
                session.Enqueue(ct => session.Transport.UnsubscribeAsync([Topics.ChannelAll(AppId, args.Channel.ChannelId, "open")], ct));
                open.Post(open.RaiseChannelDeleted, args);
                break;
            }
            case EventCategories.OpenChannelFreeze:
                open.Post(open.RaiseChannelFrozen, new OpenChannelEventArgs(Channel()));
                break;
            case EventCategories.OpenChannelUnfreeze:
                open.Post(open.RaiseChannelUnfrozen, new OpenChannelEventArgs(Channel()));
                break;
            case EventCategories.OpenChannelBan:
            {
                var ban = Need(p.Data, p).Deserialize(ChatJsonContext.Default.Ban) ?? throw Missing("data", p);
                var args = new OpenChannelBanEventArgs(Channel(), p.User ?? ban.User, ban);
                if (args.User.UserId == me) Lost(session, args.Channel.ChannelId);
                open.Post(open.RaiseUserBanned, args);
                break;
            }
            case EventCategories.OpenChannelUnban:
                open.Post(open.RaiseUserUnbanned, new OpenChannelUserEventArgs(Channel(), Need(p.User, p)));
                break;
            case EventCategories.OpenChannelManagerCreate:
                open.Post(open.RaiseManagerCreated, new OpenChannelUserEventArgs(Channel(), Need(p.User, p)));
                break;
            case EventCategories.OpenChannelManagerDelete:
                open.Post(open.RaiseManagerDeleted, new OpenChannelUserEventArgs(Channel(), Need(p.User, p)));
                break;
            case EventCategories.OpenChannelExit:
            {
                var args = new OpenChannelUserEventArgs(Channel(), Need(p.User, p));
                Lost(session, args.Channel.ChannelId);
                open.Post(open.RaiseExited, args);
                break;
            }
        }
        // Unknown open:* categories are a newer server's: ignored, as the official SDKs ignore them.
        return true;
    }

    /// <summary>The user is out of the channel: the server cut the topic; forget it here too.</summary>
    private void Lost(ChatSession session, string channelId)
    {
        Client.OpenChannel.Forget(channelId);
        session.Enqueue(ct => session.Transport.UnsubscribeAsync([Topics.ChannelAll(AppId, channelId, "open")], ct));
    }

    private static OpenChannel ToOpen(Channel c) => new()
    {
        ChannelId = c.ChannelId, Type = c.Type, Name = c.Name, Freeze = c.Freeze, ProfileUrl = c.ProfileUrl, Meta = c.Meta,
        TotalMessageCount = c.TotalMessageCount, TotalFileCount = c.TotalFileCount, CreatedAt = c.CreatedAt, UpdatedAt = c.UpdatedAt,
    };
}
