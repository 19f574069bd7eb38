using System.Text.Json;

namespace GitpleLive.Server.Tests.Mobile;

/// <summary>
/// Decodes answers and event payloads the way the iOS SDK's Codable models do (PROTOCOL §9, MOBILE shapes §3): a
/// required key must be present with its exact JSON type, an optional one, when present, must have its type too.
/// Each check fails the test with the path of the offending field.
/// </summary>
public static class StrictShapes
{
    public static void User(JsonElement u, string at = "user")
    {
        Obj(u, at);
        Str(u, "user_id", at); Str(u, "name", at); Int64(u, "created_at", at);
        OptInt64(u, "updated_at", at); OptInt64(u, "joined_at", at); OptStr(u, "profile_url", at); OptStringMap(u, "meta", at);
    }

    public static void Channel(JsonElement c, string at = "channel")
    {
        Obj(c, at);
        Str(c, "channel_id", at); Str(c, "type", at); Str(c, "name", at); Bool(c, "freeze", at);
        Int32(c, "total_message_count", at); Int32(c, "total_file_count", at); Int64(c, "created_at", at); Int64(c, "updated_at", at);
        OptStr(c, "profile_url", at); OptStringMap(c, "meta", at);
        OptMap(c, "unread", at, Int32Kind); OptMap(c, "read_receipt", at, Int64Kind); OptMap(c, "delivery_receipt", at, Int64Kind);
        foreach (var list in new[] { "members", "managers" })
            if (c.TryGetProperty(list, out var l))
            {
                Assert.True(l.ValueKind == JsonValueKind.Array, $"{at}.{list} must be an array");
                var i = 0;
                foreach (var m in l.EnumerateArray()) User(m, $"{at}.{list}[{i++}]");
            }
        if (c.TryGetProperty("last_message", out var last)) Message(last, at + ".last_message");
    }

    public static void Message(JsonElement m, string at = "message")
    {
        Obj(m, at);
        Str(m, "type", at); Int64(m, "message_id", at); Str(m, "channel_id", at); Int64(m, "created_at", at);
        OptInt64(m, "updated_at", at); OptStr(m, "content", at); OptStringMap(m, "meta", at);
        if (m.TryGetProperty("user", out var u)) User(u, at + ".user");
        if (m.TryGetProperty("file", out var f))
        {
            Str(f, "type", at + ".file"); Str(f, "name", at + ".file"); Str(f, "url", at + ".file"); Int32(f, "size", at + ".file");
        }
    }

    public static void Ban(JsonElement b, string at = "ban")
    {
        Obj(b, at);
        User(b.GetProperty("user"), at + ".user");
        Int64(b, "start_at", at); OptInt64(b, "end_at", at); OptStr(b, "reason", at);
    }

    /// <summary>iOS ResponseError: all five keys required, <c>timestamp</c> a String.</summary>
    public static void Error(JsonElement e, int code)
    {
        Obj(e, "error");
        Int32(e, "status", "error"); Str(e, "timestamp", "error"); Str(e, "path", "error"); Str(e, "message", "error");
        Int32(e, "code", "error");
        Assert.Equal(code, e.GetProperty("code").GetInt32());
    }

    /// <summary>iOS MessagePayload: <c>category</c> and <c>app_id</c> required; each present part fully valid.</summary>
    public static void Payload(JsonElement p, string appId)
    {
        Str(p, "category", "payload"); Str(p, "app_id", "payload");
        Assert.Equal(appId, p.GetProperty("app_id").GetString());
        if (p.TryGetProperty("user", out var u)) User(u, "payload.user");
        if (p.TryGetProperty("channel", out var c)) Channel(c, "payload.channel");
        if (p.TryGetProperty("message", out var m)) Message(m, "payload.message");
        if (p.TryGetProperty("banInfo", out var b)) Ban(b, "payload.banInfo");
    }

    private const JsonValueKind Int32Kind = (JsonValueKind)100;
    private const JsonValueKind Int64Kind = (JsonValueKind)101;

    private static void Obj(JsonElement e, string at) => Assert.True(e.ValueKind == JsonValueKind.Object, $"{at} must be an object");

    private static JsonElement Required(JsonElement e, string name, string at)
    {
        Assert.True(e.TryGetProperty(name, out var v), $"{at}.{name} is required");
        return v;
    }

    private static void Str(JsonElement e, string name, string at) =>
        Assert.True(Required(e, name, at).ValueKind == JsonValueKind.String, $"{at}.{name} must be a string");

    private static void Bool(JsonElement e, string name, string at) =>
        Assert.True(Required(e, name, at).ValueKind is JsonValueKind.True or JsonValueKind.False, $"{at}.{name} must be a boolean");

    private static void Int64(JsonElement e, string name, string at) => IsInt(Required(e, name, at), Int64Kind, $"{at}.{name}");

    private static void Int32(JsonElement e, string name, string at) => IsInt(Required(e, name, at), Int32Kind, $"{at}.{name}");

    private static void IsInt(JsonElement v, JsonValueKind kind, string at) =>
        Assert.True(v.ValueKind == JsonValueKind.Number && (kind == Int32Kind ? v.TryGetInt32(out _) : v.TryGetInt64(out _)),
            $"{at} must be an integer ({(kind == Int32Kind ? "Int" : "Int64")}), got {v.GetRawText()}");

    private static void OptStr(JsonElement e, string name, string at)
    {
        if (e.TryGetProperty(name, out _)) Str(e, name, at);
    }

    private static void OptInt64(JsonElement e, string name, string at)
    {
        if (e.TryGetProperty(name, out _)) Int64(e, name, at);
    }

    private static void OptStringMap(JsonElement e, string name, string at) => OptMap(e, name, at, JsonValueKind.String);

    private static void OptMap(JsonElement e, string name, string at, JsonValueKind kind)
    {
        if (!e.TryGetProperty(name, out var m)) return;
        Assert.True(m.ValueKind == JsonValueKind.Object, $"{at}.{name} must be an object");
        foreach (var p in m.EnumerateObject())
            if (kind == JsonValueKind.String)
                Assert.True(p.Value.ValueKind == JsonValueKind.String, $"{at}.{name}.{p.Name} must be a string");
            else IsInt(p.Value, kind, $"{at}.{name}.{p.Name}");
    }
}
