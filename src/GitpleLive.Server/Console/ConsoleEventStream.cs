using System.Collections.Concurrent;
using System.Threading.Channels;

namespace GitpleLive.Server.OperatorConsole;

/// <summary>
/// Feeds the console's live channel views: an <see cref="IEventSink"/> that hands each channel event (the payload bytes
/// the MQTT subscribers get) to the views open on that channel on this node. With Redis every node receives every
/// event, so a view on any node sees messages sent through any node.
/// </summary>
public sealed class ConsoleEventStream : IEventSink
{
    /// <summary>Events a view may fall behind by; past that the oldest are dropped (the view is told by a <c>gap</c> event).</summary>
    public const int Capacity = 512;

    private readonly ConcurrentDictionary<(string AppId, string ChannelId), Viewer[]> _viewers = new();
    private readonly Lock _gate = new();

    /// <summary>One open view; dispose to stop receiving.</summary>
    public sealed class Viewer : IDisposable
    {
        private readonly ConsoleEventStream _owner;
        internal readonly (string, string) Key;
        internal volatile bool Dropped;

        internal Viewer(ConsoleEventStream owner, (string, string) key)
        {
            _owner = owner;
            Key = key;
        }

        public Channel<(string Category, byte[] Payload)> Events { get; } =
            Channel.CreateBounded<(string, byte[])>(new BoundedChannelOptions(Capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true,
            });

        /// <summary>True once, after events were dropped because the view fell behind.</summary>
        public bool TakeGap()
        {
            if (!Dropped) return false;
            Dropped = false;
            return true;
        }

        public void Dispose() => _owner.Remove(this);
    }

    public Viewer Watch(string appId, string channelId)
    {
        var viewer = new Viewer(this, (appId, channelId));
        lock (_gate) _viewers[viewer.Key] = _viewers.TryGetValue(viewer.Key, out var list) ? [.. list, viewer] : [viewer];
        return viewer;
    }

    private void Remove(Viewer viewer)
    {
        lock (_gate)
        {
            if (!_viewers.TryGetValue(viewer.Key, out var list)) return;
            var rest = list.Where(v => v != viewer).ToArray();
            if (rest.Length == 0) _viewers.TryRemove(viewer.Key, out _);
            else _viewers[viewer.Key] = rest;
        }
        viewer.Events.Writer.TryComplete();
    }

    public ValueTask DeliverAsync(ChatEvent chatEvent, CancellationToken cancellationToken = default)
    {
        // One dictionary miss per event when nobody watches: the sink costs the send path nothing else.
        if (chatEvent.TopicKind != EventTopicKind.ChannelAll || _viewers.IsEmpty
            || !_viewers.TryGetValue((chatEvent.AppId, chatEvent.TargetId), out var list))
            return ValueTask.CompletedTask;
        var item = (chatEvent.Category, chatEvent.PayloadBytes);
        foreach (var viewer in list)
        {
            if (viewer.Events.Reader.Count >= Capacity) viewer.Dropped = true;
            viewer.Events.Writer.TryWrite(item);
        }
        return ValueTask.CompletedTask;
    }
}
