using System.Text.Json;

namespace GitpleLive.Server.Services;

/// <summary>Meta maps as stored (JSON text) and as sent (omitted when empty).</summary>
public static class Meta
{
    public static Dictionary<string, string> Read(string? json) =>
        string.IsNullOrEmpty(json) ? new() : JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? new();

    public static string? Write(Dictionary<string, string> meta) => meta.Count == 0 ? null : JsonSerializer.Serialize(meta);

    public static IReadOnlyDictionary<string, string>? ToWire(string? json) => string.IsNullOrEmpty(json) ? null : Read(json);

    /// <summary>Merges <paramref name="changes"/> into the stored map, refusing more than <paramref name="maxKeys"/> keys (1014).</summary>
    public static string? Merge(string? json, Dictionary<string, string> changes, int maxKeys)
    {
        var meta = Read(json);
        foreach (var (k, v) in changes) meta[k] = v;
        if (meta.Count > maxKeys) throw ApiException.Invalid(ErrorCodes.MetaKeyCountExceeded,
            $"meta would have {meta.Count} keys; this app allows {maxKeys}");
        return Write(meta);
    }

    public static string? Remove(string? json, IEnumerable<string> keys)
    {
        var meta = Read(json);
        foreach (var k in keys) meta.Remove(k);
        return Write(meta);
    }

    public static void CheckCount(Dictionary<string, string>? meta, int maxKeys)
    {
        if (meta is not null && meta.Count > maxKeys)
            throw ApiException.Invalid(ErrorCodes.MetaKeyCountExceeded, $"meta has {meta.Count} keys; this app allows {maxKeys}");
    }
}
