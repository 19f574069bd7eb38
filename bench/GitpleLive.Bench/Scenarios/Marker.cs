using System.Text;

namespace GitpleLive.Bench.Scenarios;

/// <summary>
/// The fixed-width tag a fan-out message carries in its content so a receiver can tell its step and
/// its send time without parsing JSON: <c>bench|SSS|QQQQQQQQQQ|TTTTTTTTTTTTTTTTTTT|</c>
/// (step, sequence, <see cref="System.Diagnostics.Stopwatch"/> timestamp of the scheduled send).
/// </summary>
public static class Marker
{
    public const int Length = 41;
    public static ReadOnlySpan<byte> Prefix => "bench|"u8;

    /// <summary>A marker with every digit zero, used to cut templates.</summary>
    public static string Placeholder => "bench|000|0000000000|0000000000000000000|";

    public static void Write(Span<byte> destination, int step, long sequence, long timestamp)
    {
        Prefix.CopyTo(destination);
        Digits(destination.Slice(6, 3), step);
        destination[9] = (byte)'|';
        Digits(destination.Slice(10, 10), sequence);
        destination[20] = (byte)'|';
        Digits(destination.Slice(21, 19), timestamp);
        destination[40] = (byte)'|';
    }

    /// <summary>Finds the marker in a received payload.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out int step, out long timestamp)
    {
        step = 0;
        timestamp = 0;
        int at = payload.IndexOf(Prefix);
        if (at < 0 || payload.Length - at < Length) return false;
        var m = payload.Slice(at, Length);
        step = (int)Parse(m.Slice(6, 3));
        timestamp = Parse(m.Slice(21, 19));
        return true;
    }

    /// <summary>Content of <paramref name="size"/> characters (at least the marker) starting with a placeholder marker.</summary>
    public static string PlaceholderContent(int size) =>
        Placeholder + new string('x', Math.Max(0, size - Length));

    private static void Digits(Span<byte> destination, long value)
    {
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (int)(value % 10));
            value /= 10;
        }
    }

    private static long Parse(ReadOnlySpan<byte> digits)
    {
        long v = 0;
        foreach (var b in digits) v = v * 10 + (b - '0');
        return v;
    }
}

/// <summary>A byte payload with a marker somewhere inside, rebuilt cheaply for each message.</summary>
public sealed class PayloadTemplate
{
    private readonly byte[] _bytes;
    private readonly int _markerAt;

    public PayloadTemplate(ReadOnlySpan<byte> bytes)
    {
        _markerAt = bytes.IndexOf(Marker.Prefix);
        if (_markerAt < 0 || bytes.Length - _markerAt < Marker.Length) throw new ArgumentException("payload has no marker");
        _bytes = bytes.ToArray();
    }

    public static PayloadTemplate FromString(string text) => new(Encoding.UTF8.GetBytes(text));

    public int Length => _bytes.Length;

    public ReadOnlySpan<byte> Bytes => _bytes;

    public byte[] Build(int step, long sequence, long timestamp)
    {
        var copy = (byte[])_bytes.Clone();
        Marker.Write(copy.AsSpan(_markerAt, Marker.Length), step, sequence, timestamp);
        return copy;
    }

    /// <summary>Writes the payload with a fresh marker into <paramref name="destination"/>.</summary>
    public void BuildInto(Span<byte> destination, int step, long sequence, long timestamp)
    {
        _bytes.CopyTo(destination);
        Marker.Write(destination.Slice(_markerAt, Marker.Length), step, sequence, timestamp);
    }

    /// <summary>
    /// Stands in for a server event when Mosquitto runs without a server run before it: the shape of a
    /// <c>group:message_send</c> event (PROTOCOL §6) with the same content.
    /// </summary>
    public static PayloadTemplate SyntheticEvent(string appChannelId, string userId, int contentSize)
    {
        const long t = 1767225600000;
        var content = Marker.PlaceholderContent(contentSize);
        var json = "{\"category\":\"group:message_send\"," +
            $"\"channel\":{{\"channel_id\":\"{appChannelId}\",\"type\":\"group\",\"name\":\"bench {appChannelId}\",\"freeze\":false," +
            $"\"total_message_count\":123456,\"total_file_count\":0,\"created_at\":{t},\"updated_at\":{t}}}," +
            $"\"message\":{{\"message_id\":1234567,\"channel_id\":\"{appChannelId}\",\"type\":\"text\"," +
            $"\"user\":{{\"user_id\":\"{userId}\",\"name\":\"bench {userId}\",\"created_at\":{t},\"updated_at\":{t}}}," +
            $"\"content\":\"{content}\",\"created_at\":{t},\"updated_at\":{t}}}}}";
        return FromString(json);
    }
}
