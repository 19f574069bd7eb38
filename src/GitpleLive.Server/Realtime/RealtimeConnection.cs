using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Packets;

namespace GitpleLive.Server.Realtime;

/// <summary>
/// One MQTT-over-WebSocket client, as MQTTnet sees it (its channel adapter) and as the event fan-out sees it
/// (a bounded outgoing queue). MQTTnet's own reader decodes what the client sends; every byte that goes to
/// the client — MQTTnet's CONNACK, SUBACK, PINGRESP … and the pre-encoded event PUBLISH packets — passes
/// through one queue and one writer, so nothing interleaves on the socket and a slow client only ever
/// slows itself: when its queue is full it is disconnected.
/// </summary>
internal sealed class RealtimeConnection : IMqttChannelAdapter, IThreadPoolWorkItem
{
    /// <summary>How long a connection told to close after its queue drains may still close by itself.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    private readonly WebSocket _webSocket;
    private readonly HttpContext _http;
    private readonly MqttChannelAdapter _reader;
    private readonly RealtimeOptions _options;
    private readonly ILogger _logger;
    private readonly Action<RealtimeConnection> _closed;
    private readonly Timer _connectTimer;

    // Everything below is guarded by _gate. The queue is created on first use: idle connections hold none.
    private readonly Lock _gate = new();
    private Queue<Outgoing>? _queue;
    private int _queuedEvents;
    private bool _queueGrew;
    private long _queuedBytes;
    private bool _writing;
    private long _writeStartedAt;
    private bool _acceptingEvents = true;
    private bool _disconnecting;
    private bool _aborted;
    private bool _requestEnded;
    private bool _closeWhenDrained;
    private bool _holdUntilConnAck;
    private List<Outgoing>? _batch; // the writer's own, see WriteLoopAsync
    private TaskCompletionSource? _drained;

    // Keys of the subscription registry this connection is in (guarded by itself; see SubscriptionRegistry).
    private readonly HashSet<string> _subscriptionKeys = new(StringComparer.Ordinal);
    private bool _subscriptionsClosed;

    private long _bytesSent;
    private int _closedReported;

    public RealtimeConnection(
        WebSocket webSocket, HttpContext http, RealtimeOptions options, ILogger logger, Action<RealtimeConnection> closed)
    {
        _webSocket = webSocket;
        _http = http;
        _options = options;
        _logger = logger;
        _closed = closed;
        RemoteEndPoint = new ConnectionEndPoint(this, http.Connection.RemoteIpAddress ?? IPAddress.None, http.Connection.RemotePort);
        LocalEndPoint = new IPEndPoint(http.Connection.LocalIpAddress ?? IPAddress.None, http.Connection.LocalPort);
        IsSecureConnection = http.Request.IsHttps;
        // The buffer writer only ever encodes control packets (CONNACK, SUBACK, …), which are small;
        // it grows on demand and shrinks back after each packet.
        var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(128, 4096));
        var guard = new MqttInputGuard(new MqttWebSocketChannel(webSocket, RemoteEndPoint, IsSecureConnection, null),
            options.MaxConnectPacketSize, options.MaxPacketSize, problem => Abort("it broke the MQTT rules: " + problem));
        // A client that has not sent its whole CONNECT in time is dropped; MQTTnet's own wait is longer.
        _connectTimer = new Timer(static c => ((RealtimeConnection)c!).ConnectTimedOut(), this, options.ConnectTimeout,
            Timeout.InfiniteTimeSpan);
        guard.ConnectReceived += () => _connectTimer.Dispose();
        _reader = new MqttChannelAdapter(guard, formatter, MqttNetLoggerBridge.Null);
    }

    private void ConnectTimedOut() =>
        Abort($"no CONNECT within {_options.ConnectTimeout.TotalSeconds:0.###} s ({nameof(RealtimeOptions.ConnectTimeout)})");

    /// <summary>The app, user and client id of an authenticated connection; null before CONNECT is accepted.</summary>
    public string? AppId { get; private set; }
    public string? UserId { get; private set; }
    public string? ClientId { get; private set; }

    /// <summary>True when the client speaks MQTT 5 (event packets need the v5 layout).</summary>
    public bool IsMqtt5 { get; private set; }

    /// <summary>MQTT 5 Maximum Packet Size of the client; 0 when it set none.</summary>
    public uint MaximumPacketSize { get; private set; }

    /// <summary>
    /// Events queued from now on wait until MQTTnet sends CONNACK, which is then written ahead of them: subscriptions
    /// restored while CONNECT is checked are live before the client hears it is connected, yet nothing precedes CONNACK.
    /// </summary>
    public void HoldEventsUntilConnAck()
    {
        lock (_gate) _holdUntilConnAck = true;
    }

    public void Authenticate(string appId, string userId, string clientId, bool mqtt5, uint maximumPacketSize)
    {
        AppId = appId;
        UserId = userId;
        ClientId = clientId;
        IsMqtt5 = mqtt5;
        MaximumPacketSize = maximumPacketSize;
    }

    // ---- IMqttChannelAdapter -------------------------------------------------------------

    public EndPoint RemoteEndPoint { get; }
    public EndPoint LocalEndPoint { get; }
    public bool IsSecureConnection { get; }
    public X509Certificate2? ClientCertificate => null;
    public MqttPacketFormatterAdapter PacketFormatterAdapter => _reader.PacketFormatterAdapter;
    public long BytesReceived => _reader.BytesReceived;
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
    {
        // After an abort the reader may still hand back what it made of a torn socket; report a plain end instead.
        try
        {
            var packet = await _reader.ReceivePacketAsync(cancellationToken);
            return IsAborted ? null! : packet;
        }
        catch (Exception) when (IsAborted)
        {
            return null!;
        }
    }

    private bool IsAborted
    {
        get { lock (_gate) return _aborted; }
    }

    /// <summary>MQTTnet's own packets: encoded here, written in order with the events, completed once written.</summary>
    public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool schedule;
        lock (_gate)
        {
            if (_aborted || _disconnecting)
                return Task.FromException(new MqttCommunicationException("The connection is closed."));
            // The formatter's buffer is reused, so encode and copy under the lock that orders the queue.
            var encoded = PacketFormatterAdapter.Encode(packet);
            var bytes = encoded.ToArray();
            PacketFormatterAdapter.Cleanup();
            if (_holdUntilConnAck && packet is MqttConnAckPacket)
            {
                // Events of subscriptions restored before CONNACK waited for it: CONNACK goes first.
                _holdUntilConnAck = false;
                var next = new Queue<Outgoing>((_queue?.Count ?? 0) + 1);
                next.Enqueue(new Outgoing(bytes, done));
                if (_queue is not null) foreach (var item in _queue) next.Enqueue(item);
                _queue = next;
            }
            else (_queue ??= new Queue<Outgoing>()).Enqueue(new Outgoing(bytes, done));
            _queuedBytes += bytes.Length;
            schedule = !_holdUntilConnAck && StartWriterIfIdle();
        }
        if (schedule) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return cancellationToken.CanBeCanceled ? done.Task.WaitAsync(cancellationToken) : done.Task;
    }

    /// <summary>Ends the MQTT session gracefully: what is queued is written (within the timeout), then the WebSocket is closed.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        Task? drained = null;
        lock (_gate)
        {
            _acceptingEvents = false;
            _disconnecting = true;
            if (_aborted) return;
            if (_writing) drained = (_drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
        try
        {
            if (drained is not null) await drained.WaitAsync(_options.CommunicationTimeout, cancellationToken);
            if (_webSocket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await _webSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken)
                    .WaitAsync(_options.CommunicationTimeout, cancellationToken);
        }
        catch (Exception e)
            when (e is OperationCanceledException or TimeoutException or WebSocketException or IOException or ObjectDisposedException)
        {
            Abort(null);
        }
    }

    public void ResetStatistics()
    {
        _reader.ResetStatistics();
        Interlocked.Exchange(ref _bytesSent, 0);
    }

    public void Dispose()
    {
        _connectTimer.Dispose();
        _reader.Dispose();
    }

    // ---- Event fan-out -------------------------------------------------------------------

    /// <summary>
    /// Queues a pre-encoded event packet. Never blocks: when the queue is over its bounds the connection is
    /// dropped (asynchronously, off the caller's thread) and false is returned.
    /// </summary>
    public bool EnqueueEvent(byte[] packet)
    {
        var queued = EnqueueEvent(packet, out var startWriter);
        if (startWriter) ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        return queued;
    }

    /// <summary>
    /// Queues a pre-encoded event packet like <see cref="EnqueueEvent(byte[])"/>, but leaves starting the writer
    /// to the caller: when <paramref name="startWriter"/> comes back true the caller must call
    /// <see cref="RunWriter"/> (once, outside any lock it holds). This lets the fan-out write to idle
    /// connections on its own thread instead of queueing one thread-pool work item per delivery.
    /// </summary>
    public bool EnqueueEvent(byte[] packet, out bool startWriter)
    {
        startWriter = false;
        lock (_gate)
        {
            if (!_acceptingEvents) return false;
            if (_queuedEvents < _options.MaxQueuedPackets && _queuedBytes + packet.Length <= _options.MaxQueuedBytes)
            {
                (_queue ??= new Queue<Outgoing>()).Enqueue(new Outgoing(packet, null));
                if (_queue.Count > 32) _queueGrew = true;
                _queuedEvents++;
                _queuedBytes += packet.Length;
                startWriter = !_holdUntilConnAck && StartWriterIfIdle();
                return true;
            }
            _acceptingEvents = false;
        }
        Operations.ChatMetrics.SlowConsumerCut();
        // Over the bounds. Aborting takes other locks (the registry's), which the caller may hold, so do it later.
        ThreadPool.UnsafeQueueUserWorkItem(
            static c => c.Abort("its outgoing queue is full (a slow or stuck subscriber)"), this, preferLocal: false);
        return false;
    }

    /// <summary>
    /// Runs the writer started by <see cref="EnqueueEvent(byte[], out bool)"/> on the calling thread until its
    /// first write that does not complete at once (loopback and idle sockets usually complete at once);
    /// the rest continues on the thread pool.
    /// </summary>
    public void RunWriter() => _ = WriteLoopAsync();

    /// <summary>Stops taking events and closes the connection once everything queued so far has been written.</summary>
    public void CloseWhenDrained()
    {
        bool closeNow;
        lock (_gate)
        {
            if (!_acceptingEvents || _aborted) return;
            _acceptingEvents = false;
            _closeWhenDrained = true;
            closeNow = !_writing;
        }
        if (closeNow) _ = CloseAfterDrainAsync();
    }

    /// <summary>True when the writer has been blocked longer than allowed with packets waiting.</summary>
    public bool IsStalled(long nowMs)
    {
        lock (_gate)
            return _writing && !_aborted && _writeStartedAt != 0
                && nowMs - _writeStartedAt > (long)_options.WriteStallTimeout.TotalMilliseconds;
    }

    /// <summary>Drops the connection at once: what is queued is discarded. Logged when <paramref name="reason"/> is given.</summary>
    public void Abort(string? reason)
    {
        List<TaskCompletionSource>? pending = null;
        bool abortHttp;
        lock (_gate)
        {
            if (_aborted) return;
            _aborted = true;
            _acceptingEvents = false;
            abortHttp = !_requestEnded;
            if (_queue is not null)
            {
                foreach (var item in _queue)
                    if (item.Done is not null) (pending ??= []).Add(item.Done);
                _queue = null;
            }
            _queuedEvents = 0;
            _queuedBytes = 0;
            _drained?.TrySetResult();
        }
        if (reason is not null)
            _logger.LogWarning("Disconnecting MQTT client {ClientId} ({RemoteEndPoint}): {Reason}",
                ClientId ?? "(not connected)", RemoteEndPoint, reason);
        if (pending is not null)
            foreach (var p in pending) p.TrySetException(new MqttCommunicationException("The connection was dropped."));
        try { _webSocket.Abort(); } catch (Exception) { /* already gone */ }
        // Aborting the HTTP connection also releases a writer stuck on a client that stopped reading.
        if (abortHttp)
        {
            try { _http.Abort(); } catch (Exception) { /* already gone */ }
        }
        ReportClosed();
    }

    /// <summary>
    /// Called when the WebSocket request is about to end: stops everything, drops a writer that is still stuck
    /// (while the HTTP connection can still be aborted) and reports the connection closed.
    /// </summary>
    public void EndRequest()
    {
        bool stuck;
        lock (_gate)
        {
            _acceptingEvents = false;
            _disconnecting = true;
            stuck = _writing && !_aborted;
        }
        if (stuck) Abort(null);
        lock (_gate) _requestEnded = true;
        ReportClosed();
    }

    /// <summary>Tells the owner (once) that this connection is gone, so it leaves the registry and presence.</summary>
    public void ReportClosed()
    {
        if (Interlocked.Exchange(ref _closedReported, 1) == 0) _closed(this);
    }

    // ---- Subscription keys (used by SubscriptionRegistry only) ------------------------------

    internal bool TryAddSubscriptionKey(string key)
    {
        lock (_subscriptionKeys)
        {
            if (_subscriptionsClosed) return false;
            _subscriptionKeys.Add(key);
            return true;
        }
    }

    internal void RemoveSubscriptionKey(string key)
    {
        lock (_subscriptionKeys) _subscriptionKeys.Remove(key);
    }

    /// <summary>Closes the key set for good and returns what it held.</summary>
    internal string[] CloseSubscriptionKeys()
    {
        lock (_subscriptionKeys)
        {
            _subscriptionsClosed = true;
            var keys = _subscriptionKeys.ToArray();
            _subscriptionKeys.Clear();
            return keys;
        }
    }

    internal bool HasSubscriptionKey(string key)
    {
        lock (_subscriptionKeys) return _subscriptionKeys.Contains(key);
    }

    // ---- Writer ------------------------------------------------------------------------------

    private bool StartWriterIfIdle()
    {
        if (_writing) return false;
        _writing = true;
        return true;
    }

    void IThreadPoolWorkItem.Execute() => _ = WriteLoopAsync();

    private async Task WriteLoopAsync()
    {
        // One writer at a time (_writing), so the batch list is reused by every run of the writer instead of
        // being allocated for each delivery to an idle connection.
        var batch = _batch ??= new List<Outgoing>(4);
        byte[]? rented = null;
        try
        {
            while (TakeBatch(batch, out var batchBytes))
            {
                if (batch.Count == 1)
                {
                    await _webSocket.SendAsync(batch[0].Bytes, WebSocketMessageType.Binary, true, CancellationToken.None);
                }
                else
                {
                    // Several packets wait: one WebSocket message carries them all [MQTT-6.0.0-2].
                    rented = ArrayPool<byte>.Shared.Rent(batchBytes);
                    var at = 0;
                    foreach (var item in batch)
                    {
                        item.Bytes.CopyTo(rented, at);
                        at += item.Bytes.Length;
                    }
                    await _webSocket.SendAsync(rented.AsMemory(0, batchBytes), WebSocketMessageType.Binary, true, CancellationToken.None);
                    ArrayPool<byte>.Shared.Return(rented);
                    rented = null;
                }
                Interlocked.Add(ref _bytesSent, batchBytes);
                foreach (var item in batch) item.Done?.TrySetResult();
                batch.Clear();
            }
        }
        catch (Exception e)
        {
            foreach (var item in batch) item.Done?.TrySetException(new MqttCommunicationException(e));
            batch.Clear();
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
            lock (_gate)
            {
                _writing = false;
                _writeStartedAt = 0;
            }
            _logger.LogDebug(e, "Write to MQTT client {ClientId} failed", ClientId);
            Abort(null);
        }
    }

    /// <summary>Moves the next packets (up to the batch size) out of the queue, or ends the writer when there are none.</summary>
    private bool TakeBatch(List<Outgoing> batch, out int batchBytes)
    {
        batchBytes = 0;
        bool closeNow;
        lock (_gate)
        {
            if (!_aborted && _queue is { Count: > 0 })
            {
                do
                {
                    var next = _queue.Peek();
                    if (batch.Count > 0 && batchBytes + next.Bytes.Length > _options.MaxWriteBatchBytes) break;
                    _queue.Dequeue();
                    batch.Add(next);
                    batchBytes += next.Bytes.Length;
                    if (next.Done is null) _queuedEvents--;
                    _queuedBytes -= next.Bytes.Length;
                } while (_queue.Count > 0);
                _writeStartedAt = Environment.TickCount64;
                return true;
            }
            _writing = false;
            _writeStartedAt = 0;
            // Keep a small queue and batch list for the next event; let a burst's large ones go.
            if (_queueGrew) { _queue = null; _batch = null; _queueGrew = false; }
            _drained?.TrySetResult();
            _drained = null;
            closeNow = _closeWhenDrained && !_aborted;
        }
        if (closeNow) _ = CloseAfterDrainAsync();
        return false;
    }

    private async Task CloseAfterDrainAsync()
    {
        try
        {
            // The client is expected to disconnect on what it was just sent; give it a moment to do so itself,
            // and to handle that last message before the close arrives.
            await Task.Delay(CloseGrace);
            if (_webSocket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await _webSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None)
                    .WaitAsync(_options.CommunicationTimeout);
            // The client answers the close and MQTTnet ends the session; drop it if it does not.
            await Task.Delay(_options.CommunicationTimeout);
        }
        catch (Exception)
        {
            // Closing is best effort; the abort below releases everything anyway.
        }
        Abort(null);
    }

    private readonly record struct Outgoing(byte[] Bytes, TaskCompletionSource? Done);
}
