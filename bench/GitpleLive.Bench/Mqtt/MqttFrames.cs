using System.Buffers.Binary;
using System.Text;

namespace GitpleLive.Bench.Mqtt;

/// <summary>
/// The few MQTT 3.1.1 packets the load generator needs, encoded by hand: CONNECT, SUBSCRIBE,
/// PINGREQ, DISCONNECT and QoS 0 PUBLISH. Test tooling, not a general MQTT implementation.
/// </summary>
public static class MqttFrames
{
    public const byte Connack = 2;
    public const byte Publish = 3;
    public const byte Puback = 4;
    public const byte Suback = 9;
    public const byte Unsuback = 11;
    public const byte Pingresp = 13;

    public static readonly byte[] PingReq = [0xC0, 0x00];
    public static readonly byte[] Disconnect = [0xE0, 0x00];

    public static byte[] Connect(string clientId, string? userName, string? password, ushort keepAliveSeconds)
    {
        var id = Encoding.UTF8.GetBytes(clientId);
        var user = userName is null ? null : Encoding.UTF8.GetBytes(userName);
        var pass = password is null ? null : Encoding.UTF8.GetBytes(password);
        // Variable header: protocol name "MQTT", level 4, flags, keep-alive.
        int remaining = 10 + 2 + id.Length + (user is null ? 0 : 2 + user.Length) + (pass is null ? 0 : 2 + pass.Length);
        var w = new Writer(1 + VarIntSize(remaining) + remaining);
        w.Byte(0x10);
        w.VarInt(remaining);
        w.Bytes([0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04]);
        byte flags = 0x02; // clean session
        if (user is not null) flags |= 0x80;
        if (pass is not null) flags |= 0x40;
        w.Byte(flags);
        w.UInt16(keepAliveSeconds);
        w.Str(id);
        if (user is not null) w.Str(user);
        if (pass is not null) w.Str(pass);
        return w.Done();
    }

    public static byte[] Subscribe(ushort packetId, IReadOnlyList<string> filters)
    {
        var encoded = filters.Select(Encoding.UTF8.GetBytes).ToArray();
        int remaining = 2 + encoded.Sum(f => 2 + f.Length + 1);
        var w = new Writer(1 + VarIntSize(remaining) + remaining);
        w.Byte(0x82);
        w.VarInt(remaining);
        w.UInt16(packetId);
        foreach (var f in encoded)
        {
            w.Str(f);
            w.Byte(0); // QoS 0
        }
        return w.Done();
    }

    /// <summary>A QoS 0 PUBLISH of <paramref name="payload"/> on <paramref name="topic"/>.</summary>
    public static byte[] PublishQos0(ReadOnlySpan<byte> topic, ReadOnlySpan<byte> payload)
    {
        int remaining = 2 + topic.Length + payload.Length;
        var w = new Writer(1 + VarIntSize(remaining) + remaining);
        w.Byte(0x30);
        w.VarInt(remaining);
        w.UInt16((ushort)topic.Length);
        w.Bytes(topic);
        w.Bytes(payload);
        return w.Done();
    }

    public static byte[] PubackFor(ushort packetId) => [0x40, 0x02, (byte)(packetId >> 8), (byte)packetId];

    public static int VarIntSize(int value) => value < 128 ? 1 : value < 16384 ? 2 : value < 2097152 ? 3 : 4;

    /// <summary>
    /// Reads a packet header at the start of <paramref name="data"/>. Returns false when more bytes are
    /// needed; otherwise the header length (type byte plus remaining-length bytes) and the body length.
    /// </summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> data, out int headerLength, out int bodyLength)
    {
        headerLength = 0;
        bodyLength = 0;
        int multiplier = 1, value = 0;
        for (int i = 1; i < 5; i++)
        {
            if (i >= data.Length) return false;
            byte b = data[i];
            value += (b & 0x7F) * multiplier;
            if ((b & 0x80) == 0)
            {
                headerLength = i + 1;
                bodyLength = value;
                return true;
            }
            multiplier *= 128;
        }
        throw new InvalidDataException("malformed MQTT remaining length");
    }

    private ref struct Writer(int size)
    {
        private readonly byte[] _buffer = new byte[size];
        private int _at;

        public void Byte(byte b) => _buffer[_at++] = b;

        public void Bytes(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer.AsSpan(_at));
            _at += bytes.Length;
        }

        public void UInt16(ushort v)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_at), v);
            _at += 2;
        }

        public void Str(ReadOnlySpan<byte> s)
        {
            UInt16((ushort)s.Length);
            Bytes(s);
        }

        public void VarInt(int value)
        {
            do
            {
                byte b = (byte)(value % 128);
                value /= 128;
                if (value > 0) b |= 0x80;
                Byte(b);
            } while (value > 0);
        }

        public readonly byte[] Done() => _at == _buffer.Length ? _buffer : throw new InvalidOperationException("MQTT frame size mismatch");
    }
}
