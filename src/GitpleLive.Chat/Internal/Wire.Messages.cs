using System.Text.Json.Serialization;

namespace GitpleLive.Chat.Internal;

// Request bodies of the message extensions (PROTOCOL §10).

internal sealed record SendExtrasBody(string Type, string Content, IReadOnlyDictionary<string, string>? Meta, long? ParentMessageId,
    IReadOnlyList<string>? MentionedUserIds);

internal sealed record ContentBody(string Content);

internal sealed record ReactionBody(string Key);

internal sealed record TypingBody(bool Typing);

/// <summary>The wire's JSON for these bodies, with <see cref="ChatJsonContext"/>'s options (a context of its own, so the
/// extensions' types stay in this file).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(SendExtrasBody))]
[JsonSerializable(typeof(ContentBody))]
[JsonSerializable(typeof(ReactionBody))]
[JsonSerializable(typeof(TypingBody))]
internal sealed partial class ExtensionJsonContext : JsonSerializerContext;
