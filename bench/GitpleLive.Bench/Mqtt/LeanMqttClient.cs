using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Threading.Channels;

namespace GitpleLive.Bench.Mqtt;

/// <summary>Called for every PUBLISH received; the spans are only valid during the call.</summary>
public delegate void PublishHandler(ReadOnlySpan<byte> topic, ReadOnlySpan<byte> payload);

/// <summary>Settings shared by many <see cref="LeanMqttClient"/>s.</summary>
public sealed class LeanMqttSettings
{
    /// <summary>Shared HTTP handler for the WebSocket upgrades (one per process is enough).</summary>
    public HttpMessageInvoker Invoker { get; init; } = new(new SocketsHttpHandler { UseProxy = false });
    public ushort KeepAliveSeconds { get; init; } = 60;
    /// <summary>First size of the per-connection receive buffer; it grows for larger packets.</summary>
    public int ReceiveBufferSize { get; init; } = 16 * 1024;
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// A minimal MQTT 3.1.1 client over <see cref="ClientWebSocket"/> (sub-protocol <c>mqtt</c>), written for
/// load generation: CONNECT, SUBSCRIBE, PINGREQ, QoS 0 PUBLISH out, and a receive loop that parses the
/// byte stream (packets may span or share WebSocket messages) and hands PUBLISH payloads to a callback
/// without copying them.
/// </summary>
public sealed class LeanMqttClient : IAsyncDisposable
{
    private readonly ClientWebSocket _ws = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource<byte> _connack = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<ushort, TaskCompletionSource<byte[]>> _pendingAcks = [];
    private readonly PublishHandler? _onPublish;
    private byte[] _buffer;
    private int _filled;
    private ushort _nextPacketId;
    private Channel<byte[]>? _outbox;

    private LeanMqttClient(int receiveBufferSize, PublishHandler? onPublish)
    {
        _buffer = new byte[receiveBufferSize];
        _onPublish = onPublish;
        _ws.Options.AddSubProtocol("mqtt");
        _ws.Options.KeepAliveInterval = TimeSpan.Zero; // MQTT keep-alive does the job
    }

    public string ClientId { get; private set; } = "";

    /// <summary>Completes when the connection is gone (closed by either side or failed).</summary>
    public Task Closed => _closed.Task;

    public bool IsOpen => _ws.State == WebSocketState.Open && !_closed.Task.IsCompleted;

    public long PublishesReceived;

    /// <summary>Opens the WebSocket, sends CONNECT and waits for CONNACK; throws unless it is accepted.</summary>
    public static async Task<LeanMqttClient> ConnectAsync(
        Uri uri, string clientId, string? userName, string? password, LeanMqttSettings settings,
        PublishHandler? onPublish, CancellationToken cancellationToken)
    {
        var client = new LeanMqttClient(settings.ReceiveBufferSize, onPublish) { ClientId = clientId };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.ConnectTimeout);
        try
        {
            await client._ws.ConnectAsync(uri, settings.Invoker, timeout.Token);
            _ = client.ReceiveLoopAsync();
            await client.SendAsync(MqttFrames.Connect(clientId, userName, password, settings.KeepAliveSeconds), timeout.Token);
            var rc = await client._connack.Task.WaitAsync(timeout.Token);
            if (rc != 0) throw new MqttConnectException(rc);
            return client;
        }
        catch
        {
            client.Abort();
            throw;
        }
    }

    /// <summary>Subscribes with QoS 0 and returns the SUBACK return codes (0x80 = refused).</summary>
    public async Task<byte[]> SubscribeAsync(IReadOnlyList<string> filters, CancellationToken cancellationToken)
    {
        TaskCompletionSource<byte[]> ack = new(TaskCreationOptions.RunContinuationsAsynchronously);
        ushort id;
        lock (_pendingAcks)
        {
            id = ++_nextPacketId == 0 ? ++_nextPacketId : _nextPacketId;
            _pendingAcks[id] = ack;
        }
        await SendAsync(MqttFrames.Subscribe(id, filters), cancellationToken);
        return await ack.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    public Task PingAsync(CancellationToken cancellationToken) => SendAsync(MqttFrames.PingReq, cancellationToken);

    /// <summary>Sends one complete MQTT packet as one binary WebSocket message.</summary>
    public async Task SendAsync(ReadOnlyMemory<byte> packet, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _ws.SendAsync(packet, WebSocketMessageType.Binary, true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Queues a packet for a single writer loop (no waiting on the caller's side). Returns the number
    /// of packets waiting, so a pacing loop can see that the connection does not keep up.
    /// </summary>
    public int Enqueue(byte[] packet)
    {
        if (_outbox is null)
        {
            lock (_sendLock)
            {
                if (_outbox is null)
                {
                    _outbox = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
                    _ = WriterLoopAsync(_outbox.Reader);
                }
            }
        }
        int queued = Interlocked.Increment(ref _queued);
        if (!_outbox.Writer.TryWrite(packet)) Interlocked.Decrement(ref _queued);
        return queued;
    }

    /// <summary>Packets waiting in the queue of <see cref="Enqueue"/>.</summary>
    public int Queued => Volatile.Read(ref _queued);

    private int _queued;

    private async Task WriterLoopAsync(ChannelReader<byte[]> reader)
    {
        try
        {
            while (await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out var packet))
                {
                    Interlocked.Decrement(ref _queued);
                    await SendAsync(packet, CancellationToken.None);
                }
            }
        }
        catch
        {
            // The connection went away; Closed tells the owner.
        }
    }

    private async Task ReceiveLoopAsync()
    {
        try
        {
            while (true)
            {
                if (_filled == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
                var result = await _ws.ReceiveAsync(_buffer.AsMemory(_filled), CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close) break;
                _filled += result.Count;
                int consumed = Parse(_buffer.AsSpan(0, _filled));
                if (consumed > 0)
                {
                    int left = _filled - consumed;
                    if (left > 0) Buffer.BlockCopy(_buffer, consumed, _buffer, 0, left);
                    _filled = left;
                }
            }
        }
        catch
        {
            // Closed or aborted.
        }
        finally
        {
            _connack.TrySetException(new MqttConnectException(-1));
            lock (_pendingAcks)
            {
                foreach (var ack in _pendingAcks.Values) ack.TrySetException(new IOException("connection closed"));
                _pendingAcks.Clear();
            }
            _closed.TrySetResult();
        }
    }

    private int Parse(ReadOnlySpan<byte> data)
    {
        int offset = 0;
        while (data.Length - offset >= 2)
        {
            var rest = data[offset..];
            if (!MqttFrames.TryReadHeader(rest, out int header, out int body)) break;
            int total = header + body;
            if (rest.Length < total)
            {
                if (total > _buffer.Length) Array.Resize(ref _buffer, Math.Max(total, _buffer.Length * 2));
                break;
            }
            Handle(rest[0], rest.Slice(header, body));
            offset += total;
        }
        return offset;
    }

    private void Handle(byte first, ReadOnlySpan<byte> body)
    {
        switch (first >> 4)
        {
            case MqttFrames.Publish:
            {
                int qos = (first >> 1) & 3;
                int topicLength = BinaryPrimitives.ReadUInt16BigEndian(body);
                var topic = body.Slice(2, topicLength);
                int at = 2 + topicLength;
                if (qos > 0)
                {
                    ushort id = BinaryPrimitives.ReadUInt16BigEndian(body[at..]);
                    at += 2;
                    if (qos == 1) Enqueue(MqttFrames.PubackFor(id));
                }
                PublishesReceived++;
                _onPublish?.Invoke(topic, body[at..]);
                break;
            }
            case MqttFrames.Connack:
                _connack.TrySetResult(body.Length >= 2 ? body[1] : (byte)0xFF);
                break;
            case MqttFrames.Suback:
            {
                ushort id = BinaryPrimitives.ReadUInt16BigEndian(body);
                TaskCompletionSource<byte[]>? ack;
                lock (_pendingAcks)
                {
                    if (_pendingAcks.Remove(id, out ack)) { }
                }
                ack?.TrySetResult(body[2..].ToArray());
                break;
            }
        }
    }

    /// <summary>Sends DISCONNECT and closes the WebSocket politely (bounded in time).</summary>
    public async Task CloseAsync()
    {
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (_ws.State == WebSocketState.Open)
            {
                await SendAsync(MqttFrames.Disconnect, cts.Token);
                await _ws.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
        }
        catch
        {
            // Best effort.
        }
        Abort();
    }

    public void Abort()
    {
        try { _ws.Abort(); } catch { }
        _ws.Dispose();
        _outbox?.Writer.TryComplete();
    }

    public ValueTask DisposeAsync()
    {
        Abort();
        return ValueTask.CompletedTask;
    }
}

public sealed class MqttConnectException(int returnCode)
    : Exception(returnCode < 0 ? "connection closed before CONNACK" : $"CONNACK refused with return code {returnCode}")
{
    public int ReturnCode { get; } = returnCode;
}
