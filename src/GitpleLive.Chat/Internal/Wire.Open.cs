namespace GitpleLive.Chat.Internal;

/// <summary>POST <c>/open/channels</c> (PROTOCOL §10); its types are in <see cref="ChatJsonContext"/>.</summary>
internal sealed record CreateOpenChannelBody(string ChannelId, string Name, string? ProfileUrl,
    IReadOnlyDictionary<string, string>? Meta);
