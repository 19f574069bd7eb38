using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace GitpleLive.Realtime.Tests;

/// <summary>
/// A minimal MQTT 3.1.1 client on a raw WebSocket: just enough to connect, subscribe and then do what no
/// real client library lets a test do — stop reading, or read the frames exactly as the server wrote them.
/// </summary>
public sealed class RawMqttClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private RawMqttClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>Opens the WebSocket; <paramref name="receiveBuffer"/> keeps the kernel from buffering much for a client that stalls.</summary>
    public static async Task<RawMqttClient> OpenAsync(int port, int receiveBuffer = 0, string subProtocol = "mqtt")
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (receiveBuffer > 0) socket.ReceiveBufferSize = receiveBuffer;
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        var client = new RawMqttClient(socket);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                      $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {subProtocol}\r\n\r\n";
        await client._stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var response = await client.ReadHeadersAsync();
        if (!response.StartsWith("HTTP/1.1 101", StringComparison.Ordinal)) throw new InvalidOperationException("no upgrade: " + response);
        client.ResponseHeaders = response;
        return client;
    }

    public string ResponseHeaders { get; private set; } = "";

    public async Task ConnectAsync(string clientId, string userName, string password)
    {
        await SendMqttAsync(0x10, ConnectBody(Encoding.UTF8.GetBytes(clientId), userName, password));
        var connack = await ReadPacketAsync();
        if (connack.Length != 4 || connack[0] != 0x20 || connack[3] != 0) throw new InvalidOperationException("CONNACK " + Convert.ToHexString(connack));
    }

    /// <summary>The body of an MQTT 3.1.1 CONNECT with a clean session, user name and password, and this exact client id.</summary>
    public static byte[] ConnectBody(byte[] clientId, string userName, string password)
    {
        var payload = new List<byte>();
        payload.AddRange([0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, 0xC2, 0, 60]);
        payload.AddRange([(byte)(clientId.Length >> 8), (byte)clientId.Length, .. clientId]);
        foreach (var s in new[] { userName, password }) payload.AddRange(Utf8String(s));
        return [.. payload];
    }

    public async Task<byte> SubscribeAsync(string filter, byte options = 0, byte header = 0x82)
    {
        byte[] body = [0, 1, .. Utf8String(filter), options];
        await SendMqttAsync(header, body);
        var suback = await ReadPacketAsync();
        return suback[^1];
    }

    /// <summary>
    /// True when the server ends the connection (a close frame, or the socket closing or resetting) within
    /// <paramref name="within"/>; whatever packets arrive before that are skipped.
    /// </summary>
    public async Task<bool> ClosedWithinAsync(TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                if (await _stream.ReadAsync(buffer, cts.Token) == 0) return true;
                if (buffer[0] == 0x88) return true; // a close frame (the server's frames are unmasked)
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>
    /// True when the server closes the connection within <paramref name="within"/> without sending an MQTT packet
    /// first (no CONNACK, SUBACK, …): the refusal is the connection's end, not an answer.
    /// </summary>
    public async Task<bool> NoPacketThenClosedAsync(TimeSpan within)
    {
        using var cts = new CancellationTokenSource(within);
        var head = new byte[1];
        try
        {
            var n = await _stream.ReadAsync(head, cts.Token);
            return n == 0 || head[0] == 0x88; // end of stream, or a close frame rather than a binary one
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    /// <summary>Writes raw bytes on the socket (a frame header announcing more than follows, …).</summary>
    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Sends one MQTT packet in one masked binary frame.</summary>
    public async Task SendMqttAsync(byte header, byte[] body)
    {
        var packet = new List<byte> { header };
        var length = body.Length;
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            packet.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        } while (length > 0);
        packet.AddRange(body);
        await SendFrameAsync([.. packet]);
    }

    public async Task SendFrameAsync(byte[] payload)
    {
        var frame = new List<byte> { 0x82 };
        if (payload.Length < 126) frame.Add((byte)(0x80 | payload.Length));
        else if (payload.Length > ushort.MaxValue)
        {
            frame.Add(0x80 | 127);
            for (var shift = 56; shift >= 0; shift -= 8) frame.Add((byte)((long)payload.Length >> shift));
        }
        else
        {
            frame.Add(0x80 | 126);
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        var mask = RandomNumberGenerator.GetBytes(4);
        frame.AddRange(mask);
        for (var i = 0; i < payload.Length; i++) frame.Add((byte)(payload[i] ^ mask[i % 4]));
        await _stream.WriteAsync(frame.ToArray());
    }

    private readonly List<byte> _pending = [];

    /// <summary>The next MQTT packet, whatever WebSocket frames carried it.</summary>
    public async Task<byte[]> ReadPacketAsync()
    {
        while (true)
        {
            if (TryTakePacket(out var packet)) return packet;
            _pending.AddRange(await ReadFrameAsync());
        }
    }

    /// <summary>The payload of the next binary WebSocket frame, as the server wrote it.</summary>
    public async Task<byte[]> ReadFrameAsync()
    {
        var head = await ReadExactlyAsync(2);
        if ((head[0] & 0x0F) == 0x8) throw new IOException("the server closed the WebSocket");
        long length = head[1] & 0x7F;
        if (length == 126) length = BinaryPrimitives.ReadUInt16BigEndian(await ReadExactlyAsync(2));
        else if (length == 127) length = (long)BinaryPrimitives.ReadUInt64BigEndian(await ReadExactlyAsync(8));
        return await ReadExactlyAsync((int)length);
    }

    private bool TryTakePacket(out byte[] packet)
    {
        packet = [];
        if (_pending.Count < 2) return false;
        int length = 0, multiplier = 1, at = 1;
        while (true)
        {
            if (at >= _pending.Count) return false;
            var digit = _pending[at++];
            length += (digit & 0x7F) * multiplier;
            multiplier *= 128;
            if ((digit & 0x80) == 0) break;
        }
        if (_pending.Count < at + length) return false;
        packet = _pending.GetRange(0, at + length).ToArray();
        _pending.RemoveRange(0, at + length);
        return true;
    }

    private async Task<byte[]> ReadExactlyAsync(int count)
    {
        var buffer = new byte[count];
        using var cts = new CancellationTokenSource(TestClient.Timeout);
        await _stream.ReadExactlyAsync(buffer, cts.Token);
        return buffer;
    }

    private async Task<string> ReadHeadersAsync()
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 4 || !(bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
        {
            if (await _stream.ReadAsync(one) == 0) throw new IOException("closed during handshake");
            bytes.Add(one[0]);
        }
        return Encoding.ASCII.GetString([.. bytes]);
    }

    private static byte[] Utf8String(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        return [(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes];
    }

    /// <summary>
    /// Reads until the socket closes or <paramref name="cancellationToken"/> fires, calling <paramref name="onPublish"/>
    /// for every PUBLISH, with as little work per byte as possible (a load-generating subscriber).
    /// </summary>
    public async Task CountPublishesAsync(Action onPublish, CancellationToken cancellationToken)
    {
        var parser = new StreamParser(onPublish);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var n = await _stream.ReadAsync(buffer, cancellationToken);
            if (n == 0 || !parser.Feed(buffer, n)) return;
        }
    }

    /// <summary>Server WebSocket frames (unmasked) around a stream of MQTT packets.</summary>
    private sealed class StreamParser(Action onPublish)
    {
        private readonly byte[] _header = new byte[10];
        private int _headerLength, _headerTotal = 2;
        private long _frameLeft;
        private int _mqttState, _mqttType, _mqttLength, _mqttMultiplier;
        private long _mqttLeft;

        /// <summary>Returns false when the server closed the WebSocket.</summary>
        public bool Feed(byte[] buffer, int count)
        {
            var i = 0;
            while (i < count)
            {
                if (_frameLeft == 0)
                {
                    _header[_headerLength++] = buffer[i++];
                    if (_headerLength == 2)
                    {
                        var l = _header[1] & 0x7F;
                        _headerTotal = l == 126 ? 4 : l == 127 ? 10 : 2;
                    }
                    if (_headerLength < 2 || _headerLength != _headerTotal) continue;
                    if ((_header[0] & 0x0F) == 0x8) return false;
                    long length = _header[1] & 0x7F;
                    if (length == 126) length = BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2));
                    else if (length == 127) length = (long)BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2));
                    _frameLeft = length;
                    _headerLength = 0;
                    continue;
                }
                var take = (int)Math.Min(_frameLeft, count - i);
                FeedMqtt(buffer, i, take);
                _frameLeft -= take;
                i += take;
            }
            return true;
        }

        private void FeedMqtt(byte[] buffer, int offset, int count)
        {
            var k = offset;
            var end = offset + count;
            while (k < end)
            {
                switch (_mqttState)
                {
                    case 0:
                        _mqttType = buffer[k++];
                        _mqttLength = 0;
                        _mqttMultiplier = 1;
                        _mqttState = 1;
                        break;
                    case 1:
                        var digit = buffer[k++];
                        _mqttLength += (digit & 0x7F) * _mqttMultiplier;
                        _mqttMultiplier *= 128;
                        if ((digit & 0x80) != 0) break;
                        if ((_mqttType & 0xF0) == 0x30) onPublish();
                        _mqttLeft = _mqttLength;
                        _mqttState = _mqttLeft == 0 ? 0 : 2;
                        break;
                    default:
                        var skip = (int)Math.Min(_mqttLeft, end - k);
                        k += skip;
                        _mqttLeft -= skip;
                        if (_mqttLeft == 0) _mqttState = 0;
                        break;
                }
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        return ValueTask.CompletedTask;
    }
}
