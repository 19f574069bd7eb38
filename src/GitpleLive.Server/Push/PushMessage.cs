using System.Text.Json;

namespace GitpleLive.Server.Push;

/// <summary>The push preferences of PROTOCOL §10 (stored on the membership; null there means <c>all</c>).</summary>
public static class PushPreferences
{
    public const string All = "all";
    public const string Mentions = "mentions";
    public const string Off = "off";

    public static bool IsValid(string value) => value is All or Mentions or Off;
}

/// <summary>What the dispatcher reads of an outbox row's event payload.</summary>
internal sealed record PushMessage(string ChannelType, string ChannelName, string SenderName, string Text,
    IReadOnlyList<string> MentionedUserIds, long? ParentMessageId)
{
    public static PushMessage Parse(string payload)
    {
        using var doc = JsonDocument.Parse(payload);
        var channel = doc.RootElement.GetProperty("channel");
        var message = doc.RootElement.GetProperty("message");
        var user = message.TryGetProperty("user", out var u) ? u : default;
        var text = String(message, "content")
            ?? (message.TryGetProperty("file", out var file) && file.ValueKind == JsonValueKind.Object ? String(file, "name") : null)
            ?? "";
        // mentioned_user_ids and parent_message_id (PROTOCOL §10) are read when the message carries them.
        var mentioned = message.TryGetProperty("mentioned_user_ids", out var m) && m.ValueKind == JsonValueKind.Array
            ? m.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
            : [];
        long? parent = message.TryGetProperty("parent_message_id", out var p) && p.ValueKind == JsonValueKind.Number
            && p.TryGetInt64(out var id) ? id : null;
        var sender = (user.ValueKind == JsonValueKind.Object ? String(user, "name") ?? String(user, "user_id") : null) ?? "";
        return new(String(channel, "type") ?? "group", String(channel, "name") ?? "", sender, text, mentioned, parent);
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
