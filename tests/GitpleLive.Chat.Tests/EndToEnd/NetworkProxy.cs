using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GitpleLive.Chat.Tests.EndToEnd;

/// <summary>
/// A TCP forwarder standing in for the network between SDK clients and the test server. It can drop every
/// open connection (as a network failure would), refuse new ones for a while, and on MQTT-over-WebSocket
/// connections it reads the client's packets as they pass, so a test can see what the client sent and hold
/// a packet back before the server gets it (a slow network at the worst moment).
/// </summary>
public sealed class NetworkProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int> _targetPort;
    private readonly List<TcpClient> _open = [];
    private readonly List<MqttPacket> _packets = [];
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _refusing;

    public NetworkProxy(Func<int> targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _ = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The host form for <see cref="ChatClientOptions.Host"/>.</summary>
    public string Host => $"127.0.0.1:{Port}";

    /// <summary>While set, new connections are closed as soon as they are accepted.</summary>
    public bool Refusing
    {
        get => _refusing;
        set => _refusing = value;
    }

    /// <summary>Awaited for each MQTT packet a client sends, before the packet is passed on to the server.</summary>
    public Func<MqttPacket, Task>? BeforeClientPacket { get; set; }

    /// <summary>Every MQTT packet clients sent through this proxy, in order.</summary>
    public IReadOnlyList<MqttPacket> ClientPackets
    {
        get { lock (_packets) return _packets.ToList(); }
    }

    /// <summary>Completes with the first client packet (sent before or after the call) that matches.</summary>
    public async Task<MqttPacket> WaitForClientPacketAsync(Func<MqttPacket, bool> match)
    {
        var deadline = DateTime.UtcNow + Events.Timeout;
        while (true)
        {
            if (ClientPackets.FirstOrDefault(match) is { } packet) return packet;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("no such packet from the client");
            await Task.Delay(20);
        }
    }

    /// <summary>Closes every open connection at once (with a reset, as a dropped network looks to both ends).</summary>
    public void DropAll()
    {
        List<TcpClient> open;
        lock (_open)
        {
            open = _open.ToList();
            _open.Clear();
        }
        foreach (var c in open)
        {
            // A link that is just ending may already have disposed its client (its Client is then null).
            try { if (c.Client is { } socket) socket.LingerState = new LingerOption(true, 0); } catch (ObjectDisposedException) { }
            c.Dispose();
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) { return; }
            if (_refusing)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }
            _ = LinkAsync(client);
        }
    }

    private async Task LinkAsync(TcpClient client)
    {
        var server = new TcpClient();
        lock (_open)
        {
            _open.Add(client);
            _open.Add(server);
        }
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort());
            var up = ClientToServerAsync(client.GetStream(), server.GetStream());
            var down = server.GetStream().CopyToAsync(client.GetStream());
            await Task.WhenAny(up, down);
        }
        catch (Exception)
        {
            // Either side gone: the link ends.
        }
        finally
        {
            client.Dispose();
            server.Dispose();
            lock (_open)
            {
                _open.Remove(client);
                _open.Remove(server);
            }
        }
    }

    /// <summary>Passes bytes on; on a WebSocket upgrade to <c>/ws</c>, frame by frame with the MQTT packets read out.</summary>
    private async Task ClientToServerAsync(Stream from, Stream to)
    {
        var buffer = new List<byte>();
        var chunk = new byte[64 * 1024];
        var webSocket = (bool?)null;
        var mqtt = new List<byte>();
        while (true)
        {
            var n = await from.ReadAsync(chunk);
            if (n == 0) return;
            buffer.AddRange(chunk.AsSpan(0, n).ToArray());
            if (webSocket is null)
            {
                var text = Encoding.ASCII.GetString(buffer.ToArray());
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end < 0 && buffer.Count < 8192) continue;
                webSocket = text.StartsWith("GET /ws", StringComparison.Ordinal);
                if (webSocket == true)
                {
                    await to.WriteAsync(buffer.Take(end + 4).ToArray());
                    buffer.RemoveRange(0, end + 4);
                }
            }
            if (webSocket == false)
            {
                await to.WriteAsync(buffer.ToArray());
                buffer.Clear();
                continue;
            }
            while (TryTakeFrame(buffer, out var frame, out var payload))
            {
                mqtt.AddRange(payload);
                while (TryTakePacket(mqtt, out var packet))
                {
                    lock (_packets) _packets.Add(packet);
                    if (BeforeClientPacket is { } hold) await hold(packet);
                }
                await to.WriteAsync(frame);
            }
        }
    }

    /// <summary>One whole client frame (masked, RFC 6455 §5.2) and its unmasked payload.</summary>
    private static bool TryTakeFrame(List<byte> buffer, out byte[] frame, out byte[] payload)
    {
        frame = payload = [];
        if (buffer.Count < 2) return false;
        var masked = (buffer[1] & 0x80) != 0;
        long length = buffer[1] & 0x7F;
        var header = 2;
        if (length == 126)
        {
            if (buffer.Count < 4) return false;
            length = BinaryPrimitives.ReadUInt16BigEndian(buffer.GetRange(2, 2).ToArray());
            header = 4;
        }
        else if (length == 127)
        {
            if (buffer.Count < 10) return false;
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(buffer.GetRange(2, 8).ToArray());
            header = 10;
        }
        var maskAt = header;
        if (masked) header += 4;
        if (buffer.Count < header + length) return false;
        frame = buffer.GetRange(0, header + (int)length).ToArray();
        buffer.RemoveRange(0, frame.Length);
        var opcode = frame[0] & 0x0F;
        if (opcode is not (0 or 2)) return true; // control frames carry no MQTT bytes
        payload = frame.AsSpan(header).ToArray();
        if (masked)
            for (var i = 0; i < payload.Length; i++) payload[i] ^= frame[maskAt + (i % 4)];
        return true;
    }

    /// <summary>One whole MQTT control packet from the client's byte stream.</summary>
    private static bool TryTakePacket(List<byte> stream, out MqttPacket packet)
    {
        packet = null!;
        if (stream.Count < 2) return false;
        int remaining = 0, multiplier = 1, at = 1;
        while (true)
        {
            if (at >= stream.Count) return false;
            var b = stream[at++];
            remaining += (b & 0x7F) * multiplier;
            multiplier *= 128;
            if ((b & 0x80) == 0) break;
        }
        if (stream.Count < at + remaining) return false;
        packet = new MqttPacket(stream[0] >> 4, stream.GetRange(at, remaining).ToArray());
        stream.RemoveRange(0, at + remaining);
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropAll();
    }
}

/// <summary>An MQTT 3.1.1 control packet as the client sent it: its type and the bytes after the fixed header.</summary>
public sealed record MqttPacket(int Type, byte[] Body)
{
    public const int Connect = 1, Subscribe = 8, Unsubscribe = 10;

    /// <summary>The topic filters of a SUBSCRIBE or UNSUBSCRIBE.</summary>
    public IReadOnlyList<string> Topics
    {
        get
        {
            var topics = new List<string>();
            if (Type is not (Subscribe or Unsubscribe)) return topics;
            var at = 2; // packet identifier
            while (at + 2 <= Body.Length)
            {
                var length = BinaryPrimitives.ReadUInt16BigEndian(Body.AsSpan(at));
                topics.Add(Encoding.UTF8.GetString(Body, at + 2, length));
                at += 2 + length + (Type == Subscribe ? 1 : 0);
            }
            return topics;
        }
    }
}
