using System.Buffers.Binary;
using System.Text;

namespace GitpleLive.Server.Realtime;

/// <summary>
/// Encodes a server-to-client MQTT PUBLISH (QoS 0, no retain, no dup) once, so the same bytes can be written
/// to every subscriber. MQTT 3.1 and 3.1.1 share one layout; MQTT 5 adds an empty property block.
/// </summary>
internal static class PublishPacket
{
    private const byte PublishQos0 = 0x30;

    /// <summary>Largest remaining length MQTT can express (four length bytes).</summary>
    private const int MaxRemainingLength = 268_435_455;

    public static byte[] Encode(string topic, ReadOnlySpan<byte> payload, bool mqtt5)
    {
        var topicLength = Encoding.UTF8.GetByteCount(topic);
        if (topicLength > ushort.MaxValue) throw new ArgumentException("topic longer than 65535 bytes", nameof(topic));

        // Variable header: topic (two length bytes + UTF-8), then for MQTT 5 a property length of 0.
        long remaining = 2L + topicLength + (mqtt5 ? 1 : 0) + payload.Length;
        if (remaining > MaxRemainingLength) throw new ArgumentException("payload too large for one MQTT packet", nameof(payload));

        var packet = new byte[1 + VariableByteIntegerSize((int)remaining) + remaining];
        var span = packet.AsSpan();
        span[0] = PublishQos0;
        var at = 1 + WriteVariableByteInteger(span[1..], (int)remaining);
        BinaryPrimitives.WriteUInt16BigEndian(span[at..], (ushort)topicLength);
        at += 2;
        at += Encoding.UTF8.GetBytes(topic, span[at..]);
        if (mqtt5) span[at++] = 0;
        payload.CopyTo(span[at..]);
        return packet;
    }

    private static int VariableByteIntegerSize(int value) => value switch
    {
        < 128 => 1,
        < 16_384 => 2,
        < 2_097_152 => 3,
        _ => 4,
    };

    private static int WriteVariableByteInteger(Span<byte> destination, int value)
    {
        var i = 0;
        do
        {
            var digit = (byte)(value % 128);
            value /= 128;
            if (value > 0) digit |= 0x80;
            destination[i++] = digit;
        } while (value > 0);
        return i;
    }
}
