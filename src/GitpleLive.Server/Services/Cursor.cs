using System.Buffers.Text;
using System.Text;

namespace GitpleLive.Server.Services;

/// <summary>Opaque keyset cursors: base64url of <c>{time}:{id}</c>.</summary>
public static class Cursor
{
    public readonly record struct Position(long Time, string Id);

    public static string Encode(long time, string id) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{time}:{id}"));

    public static Position? Decode(string? next)
    {
        if (string.IsNullOrEmpty(next)) return null;
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(next));
            var colon = text.IndexOf(':');
            if (colon > 0 && long.TryParse(text.AsSpan(0, colon), out var time)) return new Position(time, text[(colon + 1)..]);
        }
        catch (FormatException) { }
        throw ApiException.BadRequest("next is not a valid cursor");
    }
}
