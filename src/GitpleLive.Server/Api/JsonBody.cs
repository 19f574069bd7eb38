using System.Text.Json;

namespace GitpleLive.Server.Api;

/// <summary>
/// A request's JSON object, read strictly: every accessor names the field it refuses, so bad input
/// answers 400/1001 with a message a developer can act on instead of a binder's 500.
/// </summary>
public sealed partial class JsonBody
{
    private readonly JsonElement _root;

    private JsonBody(JsonElement root) => _root = root;

    public static readonly JsonBody Empty = new(JsonDocument.Parse("{}").RootElement);

    /// <summary>Reads the body as a JSON object; an empty body counts as <c>{}</c>.</summary>
    public static async Task<JsonBody> ReadAsync(HttpRequest request, long maxBytes)
    {
        if (request.ContentLength > maxBytes) throw ApiException.BadRequest($"request body larger than {maxBytes} bytes");
        // A pooled buffer sized by Content-Length when given (the parsed body is a copy): a new 8 KB chunk and a growing
        // MemoryStream per request were 40 % of the send path's allocations (bench/RESULTS.md).
        var pool = System.Buffers.ArrayPool<byte>.Shared;
        var buffer = pool.Rent(request.ContentLength is > 0 and var length ? (int)length + 1 : 4096);
        try
        {
            var size = 0;
            int n;
            while ((n = await request.Body.ReadAsync(buffer.AsMemory(size), request.HttpContext.RequestAborted)) > 0)
            {
                size += n;
                if (size > maxBytes) throw ApiException.BadRequest($"request body larger than {maxBytes} bytes");
                if (size < buffer.Length) continue;
                var larger = pool.Rent(buffer.Length * 2);
                buffer.AsSpan(0, size).CopyTo(larger);
                pool.Return(buffer);
                buffer = larger;
            }
            return size == 0 ? Empty : Parse(buffer.AsMemory(0, size));
        }
        finally
        {
            pool.Return(buffer);
        }
    }

    public static JsonBody Parse(ReadOnlyMemory<byte> utf8)
    {
        try
        {
            using var doc = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 16 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw ApiException.BadRequest("request body must be a JSON object");
            CheckText(doc.RootElement, null);
            return new JsonBody(doc.RootElement.Clone());
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"malformed JSON body: {e.Message}");
        }
    }

    /// <summary>
    /// Refuses strings and names that are valid JSON but not valid text (an escaped unpaired surrogate
    /// such as <c>"\ud800"</c>): reading them later would throw instead of answering 400.
    /// </summary>
    private static void CheckText(JsonElement e, string? path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                try { e.GetString(); }
                catch (InvalidOperationException)
                {
                    throw ApiException.BadRequest($"{path ?? "value"} is not valid text (unpaired surrogate)");
                }
                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    string name;
                    try { name = p.Name; }
                    catch (InvalidOperationException)
                    {
                        throw ApiException.BadRequest($"{path ?? "body"} has a key that is not valid text (unpaired surrogate)");
                    }
                    CheckText(p.Value, path is null ? name : $"{path}.{name}");
                }
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray()) CheckText(item, $"{path}[{i++}]");
                break;
        }
    }

    /// <summary>The raw value of <paramref name="name"/> (default when absent or null).</summary>
    public JsonElement Element(string name) => Get(name) ?? default;

    public bool Has(string name) => _root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    private JsonElement? Get(string name) => _root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public string? OptionalString(string name, int maxLength, bool allowEmpty = false)
    {
        if (Get(name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.String) throw ApiException.BadRequest($"{name} must be a string");
        var s = v.GetString()!;
        if (!allowEmpty && s.Length == 0) throw ApiException.BadRequest($"{name} must not be empty");
        if (s.Length > maxLength) throw ApiException.BadRequest($"{name} must be at most {maxLength} characters");
        return s;
    }

    /// <summary>A new name for an update: absent or <c>""</c> means unchanged (the iOS SDK always sends <c>name</c>).</summary>
    public string? OptionalNewName(string name, int maxLength) =>
        OptionalString(name, maxLength, allowEmpty: true) is { Length: > 0 } s ? s : null;

    public string RequiredString(string name, int maxLength) =>
        OptionalString(name, maxLength) ?? throw ApiException.BadRequest($"{name} is required");

    public string? OptionalId(string name) => OptionalString(name, Limits.IdLength) is { } s ? Ids.Check(name, s) : null;

    public string RequiredId(string name) => Ids.Check(name, RequiredString(name, Limits.IdLength));

    public bool? OptionalBool(string name)
    {
        if (Get(name) is not { } v) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw ApiException.BadRequest($"{name} must be a boolean"),
        };
    }

    public long? OptionalLong(string name, long min, long max)
    {
        if (Get(name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n)) throw ApiException.BadRequest($"{name} must be an integer");
        if (n < min || n > max) throw ApiException.BadRequest($"{name} must be between {min} and {max}");
        return n;
    }

    public long RequiredLong(string name, long min, long max) =>
        OptionalLong(name, min, max) ?? throw ApiException.BadRequest($"{name} is required");

    /// <summary>A list of ids (each checked), de-duplicated, order kept.</summary>
    /// <param name="jsonText">Also take a string holding a JSON array (Android sends read's <c>channels</c> as one).</param>
    public IReadOnlyList<string>? OptionalIdList(string name, int maxCount, bool jsonText = false)
    {
        if (Get(name) is not { } v) return null;
        if (jsonText && v.ValueKind == JsonValueKind.String)
        {
            try
            {
                using var doc = JsonDocument.Parse(v.GetString()!);
                return IdList(name, doc.RootElement, maxCount);
            }
            catch (JsonException)
            {
                throw ApiException.BadRequest($"{name} must be an array of strings (or a string holding a JSON array)");
            }
        }
        return IdList(name, v, maxCount);
    }

    private static List<string> IdList(string name, JsonElement v, int maxCount)
    {
        if (v.ValueKind != JsonValueKind.Array) throw ApiException.BadRequest($"{name} must be an array of strings");
        if (v.GetArrayLength() > maxCount) throw ApiException.BadRequest($"{name} must have at most {maxCount} entries");
        var list = new List<string>();
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw ApiException.BadRequest($"{name} must be an array of strings");
            var id = Ids.Check(name, item.GetString()!);
            if (!list.Contains(id)) list.Add(id);
        }
        return list;
    }

    /// <summary>A list of meta keys (for meta deletion).</summary>
    public IReadOnlyList<string> RequiredKeyList(string name)
    {
        if (Get(name) is not { } v) throw ApiException.BadRequest($"{name} is required");
        if (v.ValueKind != JsonValueKind.Array) throw ApiException.BadRequest($"{name} must be an array of strings");
        var list = new List<string>();
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw ApiException.BadRequest($"{name} must be an array of strings");
            var key = item.GetString()!;
            if (key.Length is 0 or > Limits.MetaKeyLength)
                throw ApiException.BadRequest($"{name} entries must be 1 to {Limits.MetaKeyLength} characters");
            list.Add(key);
        }
        if (list.Count > 1000) throw ApiException.BadRequest($"{name} must have at most 1000 entries");
        return list;
    }

    /// <summary>An array of JSON objects (each read with the same strict accessors), at most <paramref name="maxCount"/>.</summary>
    public IReadOnlyList<JsonBody> RequiredObjectList(string name, int maxCount)
    {
        if (Get(name) is not { } v) throw ApiException.BadRequest($"{name} is required");
        if (v.ValueKind != JsonValueKind.Array) throw ApiException.BadRequest($"{name} must be an array of objects");
        if (v.GetArrayLength() > maxCount) throw ApiException.BadRequest($"{name} must have at most {maxCount} entries");
        return v.EnumerateArray().Select((item, i) => item.ValueKind == JsonValueKind.Object
            ? new JsonBody(item)
            : throw ApiException.BadRequest($"{name}[{i}] must be an object")).ToList();
    }

    /// <summary>Reads an entry of a list; a refusal names the entry (<c>messages[3].user_id is required</c>).</summary>
    public static T Entry<T>(string path, Func<T> read)
    {
        try { return read(); }
        catch (ApiException e) when (e.Code == ErrorCodes.InvalidParameters) { throw ApiException.BadRequest($"{path}.{e.Message}"); }
    }

    /// <summary>A flat object of string keys to string values (PROTOCOL §2).</summary>
    public Dictionary<string, string>? OptionalMeta(string name)
    {
        if (Get(name) is not { } v) return null;
        return ReadMeta(name, v);
    }

    public Dictionary<string, string> RequiredMeta(string name) =>
        OptionalMeta(name) ?? throw ApiException.BadRequest($"{name} is required");

    /// <summary>A meta object sent as JSON text (the <c>meta</c> field of a multipart upload).</summary>
    public static Dictionary<string, string> ParseMeta(string name, string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
            CheckText(doc.RootElement, name);
            return ReadMeta(name, doc.RootElement);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"{name} must be a JSON object of string values: {e.Message}");
        }
    }

    public static Dictionary<string, string> ReadMeta(string name, JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Object) throw ApiException.BadRequest($"{name} must be an object of string values");
        var meta = new Dictionary<string, string>();
        foreach (var p in v.EnumerateObject())
        {
            if (p.Name.Length is 0 or > Limits.MetaKeyLength)
                throw ApiException.BadRequest($"{name} keys must be 1 to {Limits.MetaKeyLength} characters");
            if (p.Value.ValueKind != JsonValueKind.String) throw ApiException.BadRequest($"{name}.{p.Name} must be a string");
            var s = p.Value.GetString()!;
            if (s.Length > Limits.MetaValueLength)
                throw ApiException.BadRequest($"{name}.{p.Name} must be at most {Limits.MetaValueLength} characters");
            meta[p.Name] = s;
        }
        return meta;
    }
}
