using System.Text.Json;

namespace GitpleLive.Server.Api;

public sealed partial class JsonBody
{
    /// <summary>Whether <paramref name="name"/> is present with the value <c>null</c> (e.g. "remove this").</summary>
    public bool IsNull(string name) => _root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Null;

    /// <summary>A nested object read with the same strict accessors; null when absent or null.</summary>
    public JsonBody? OptionalObject(string name)
    {
        if (Get(name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Object) throw ApiException.BadRequest($"{name} must be an object");
        return new JsonBody(v);
    }

    /// <summary>The raw JSON text of <paramref name="name"/> (an object is kept as its JSON text); null when absent.</summary>
    public string? OptionalRawText(string name, int maxLength)
    {
        if (Get(name) is not { } v) return null;
        var text = v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText();
        if (text.Length > maxLength) throw ApiException.BadRequest($"{name} must be at most {maxLength} characters");
        return text;
    }
}
