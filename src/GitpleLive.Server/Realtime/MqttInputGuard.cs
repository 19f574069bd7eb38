using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using MQTTnet.Channel;

namespace GitpleLive.Server.Realtime;

/// <summary>
/// Watches the bytes a client sends before MQTTnet decodes them, and closes the connection on what MQTT 3.1.1
/// and 5 say a server must not accept: a first packet that is not CONNECT, reserved fixed-header flags
/// (SUBSCRIBE, UNSUBSCRIBE and PUBREL must be <c>0010</c>, §3.8.1), a PUBLISH of QoS 3, a client id or user name
/// that is not well-formed UTF-8 (§1.5.3), a SUBSCRIBE with QoS 3 or reserved option bits (§3.8.3.1), and any packet
/// over the size limit — a much smaller one until CONNECT has arrived, decided on its length field alone, so a
/// huge first packet is refused before anything buffers it.
/// </summary>
internal sealed class MqttInputGuard(IMqttChannel inner, int maxConnectPacketSize, int maxPacketSize, Action<string> violation)
    : IMqttChannel
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private enum State { Header, Length, Body }

    private State _state = State.Header;
    private byte _header;
    private int _length;
    private int _lengthMultiplier;
    private int _lengthBytes;
    private int _left;
    private byte[]? _body; // the packet's body while it is one we inspect (CONNECT, SUBSCRIBE)
    private int _bodyAt;
    private bool _connectSeen;
    private byte _protocolLevel;
    private bool _failed;

    /// <summary>Raised once, when the whole CONNECT packet has arrived.</summary>
    public event Action? ConnectReceived;

    public X509Certificate2? ClientCertificate => inner.ClientCertificate;
    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;
    public EndPoint LocalEndPoint => inner.LocalEndPoint;
    public bool IsSecureConnection => inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);
    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);
    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);
    public void Dispose() => inner.Dispose();

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (_failed) return 0;
        var n = await inner.ReadAsync(buffer, offset, count, cancellationToken);
        if (n <= 0) return n;
        // Everything read is checked before MQTTnet sees it; on a violation it sees the end of the stream.
        if (Inspect(buffer.AsSpan(offset, n)) is { } problem)
        {
            _failed = true;
            violation(problem);
            return 0;
        }
        return n;
    }

    /// <summary>Feeds the bytes through the packet framing; the problem, or null when all is well.</summary>
    internal string? Inspect(ReadOnlySpan<byte> bytes)
    {
        var i = 0;
        while (i < bytes.Length)
        {
            switch (_state)
            {
                case State.Header:
                    _header = bytes[i++];
                    if (CheckHeader(_header) is { } bad) return bad;
                    _state = State.Length;
                    _length = 0;
                    _lengthMultiplier = 1;
                    _lengthBytes = 0;
                    break;
                case State.Length:
                    var digit = bytes[i++];
                    if (++_lengthBytes > 4) return "malformed remaining length";
                    _length += (digit & 0x7F) * _lengthMultiplier;
                    _lengthMultiplier *= 128;
                    var limit = _connectSeen ? maxPacketSize : maxConnectPacketSize;
                    if (_length > limit)
                        return $"a packet of {_length} bytes is over the limit of {limit}" + (_connectSeen ? "" : " before CONNECT");
                    if ((digit & 0x80) != 0) break;
                    _left = _length;
                    var type = _header >> 4;
                    _body = type is 1 or 8 ? new byte[_length] : null;
                    _bodyAt = 0;
                    _state = State.Body;
                    if (_left == 0 && EndPacket() is { } empty) return empty;
                    break;
                case State.Body:
                    var take = Math.Min(_left, bytes.Length - i);
                    if (_body is not null) bytes.Slice(i, take).CopyTo(_body.AsSpan(_bodyAt));
                    _bodyAt += take;
                    _left -= take;
                    i += take;
                    if (_left == 0 && EndPacket() is { } problem) return problem;
                    break;
            }
        }
        return null;
    }

    private string? CheckHeader(byte header)
    {
        var type = header >> 4;
        var flags = header & 0x0F;
        if (!_connectSeen && type != 1) return $"the first packet is of type {type}, not CONNECT";
        if (_connectSeen && type == 1) return "a second CONNECT";
        return type switch
        {
            0 => "packet type 0 is reserved",
            3 when (flags & 0x06) == 0x06 => "a PUBLISH of QoS 3",
            3 => null,
            6 or 8 or 10 when flags != 0x02 => $"packet type {type} with fixed-header flags {flags:x} (must be 2)",
            6 or 8 or 10 => null,
            15 when _protocolLevel < 5 => "AUTH is MQTT 5 only",
            _ when flags != 0 => $"packet type {type} with fixed-header flags {flags:x} (must be 0)",
            _ => null,
        };
    }

    private string? EndPacket()
    {
        _state = State.Header;
        var body = _body;
        _body = null;
        var type = _header >> 4;
        if (type == 1)
        {
            _connectSeen = true;
            var problem = CheckConnect(body!);
            if (problem is null) ConnectReceived?.Invoke();
            return problem;
        }
        return type == 8 ? CheckSubscribe(body!) : null;
    }

    private string? CheckConnect(byte[] body)
    {
        var r = new Reader(body);
        if (!r.String(out _)) return "malformed CONNECT (protocol name)";
        if (!r.Byte(out _protocolLevel) || !r.Byte(out var flags) || !r.Skip(2)) return "malformed CONNECT (variable header)";
        if ((flags & 0x01) != 0) return "CONNECT flags use the reserved bit";
        if (_protocolLevel >= 5 && !r.Properties()) return "malformed CONNECT (properties)";
        if (!r.String(out var clientId)) return "malformed CONNECT (client id)";
        if (Utf8Problem(clientId) is { } badId) return "the client id " + badId;
        if ((flags & 0x04) != 0)
        {
            if (_protocolLevel >= 5 && !r.Properties()) return "malformed CONNECT (will properties)";
            if (!r.String(out var willTopic)) return "malformed CONNECT (will topic)";
            if (Utf8Problem(willTopic) is { } badTopic) return "the will topic " + badTopic;
            if (!r.String(out _)) return "malformed CONNECT (will payload)";
        }
        if ((flags & 0x80) != 0)
        {
            if (!r.String(out var userName)) return "malformed CONNECT (user name)";
            if (Utf8Problem(userName) is { } badUser) return "the user name " + badUser;
        }
        return null;
    }

    private string? CheckSubscribe(byte[] body)
    {
        var r = new Reader(body);
        if (!r.Skip(2)) return "malformed SUBSCRIBE (packet id)";
        if (_protocolLevel >= 5 && !r.Properties()) return "malformed SUBSCRIBE (properties)";
        var filters = 0;
        while (!r.AtEnd)
        {
            if (!r.String(out var filter) || !r.Byte(out var options)) return "malformed SUBSCRIBE (topic filter)";
            if (Utf8Problem(filter) is { } bad) return "a topic filter " + bad;
            if ((options & 0x03) == 0x03) return "a SUBSCRIBE with QoS 3";
            var reserved = _protocolLevel >= 5 ? (options & 0xC0) != 0 || (options & 0x30) == 0x30 : (options & 0xFC) != 0;
            if (reserved) return "a SUBSCRIBE with reserved option bits set";
            filters++;
        }
        return filters == 0 ? "a SUBSCRIBE without topic filters" : null;
    }

    /// <summary>MQTT strings are well-formed UTF-8 without U+0000 (§1.5.3).</summary>
    private static string? Utf8Problem(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var text = StrictUtf8.GetString(bytes);
            return text.Contains('\0') ? "contains U+0000" : null;
        }
        catch (DecoderFallbackException)
        {
            return "is not well-formed UTF-8";
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        public readonly bool AtEnd => _at >= _bytes.Length;

        public bool Byte(out byte value)
        {
            value = 0;
            if (_at >= _bytes.Length) return false;
            value = _bytes[_at++];
            return true;
        }

        public bool Skip(int count)
        {
            if (_at + count > _bytes.Length) return false;
            _at += count;
            return true;
        }

        public bool String(out ReadOnlySpan<byte> value)
        {
            value = default;
            if (_at + 2 > _bytes.Length) return false;
            var length = (_bytes[_at] << 8) | _bytes[_at + 1];
            if (_at + 2 + length > _bytes.Length) return false;
            value = _bytes.Slice(_at + 2, length);
            _at += 2 + length;
            return true;
        }

        /// <summary>Skips MQTT 5 properties (a variable byte integer length, then that many bytes).</summary>
        public bool Properties()
        {
            int length = 0, multiplier = 1;
            for (var n = 0; ; n++)
            {
                if (n == 4 || !Byte(out var digit)) return false;
                length += (digit & 0x7F) * multiplier;
                multiplier *= 128;
                if ((digit & 0x80) == 0) break;
            }
            return Skip(length);
        }
    }
}
