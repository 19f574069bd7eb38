using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitpleLive.Chat.Internal;

// Request and response bodies that are not part of the public model.

internal sealed record TokenResponse(string Token, long ExpiresAt);

internal sealed record ErrorBody
{
    public int? Code { get; init; }
    public string? Name { get; init; }
    public string? Message { get; init; }
    public int? Status { get; init; }
    public string? Path { get; init; }
    /// <summary>Milliseconds; the server sends them as a digits string (PROTOCOL §7), older servers as a number.</summary>
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? Timestamp { get; init; }
}

/// <summary>A realtime event: <c>{ category, channel?, user?, message?, data? }</c> (PROTOCOL §6).</summary>
internal sealed record EventPayload
{
    public string Category { get; init; } = "";
    public GroupChannel? Channel { get; init; }
    public User? User { get; init; }
    public Message? Message { get; init; }
    public JsonElement? Data { get; init; }
}

internal sealed record EmptyBody;

internal sealed record ClientIdBody([property: JsonPropertyName("clientId")] string ClientId);

internal sealed record UpdateUserBody(string? Name, string? ProfileUrl);

internal sealed record MetaBody(IReadOnlyDictionary<string, string> Meta);

internal sealed record KeysBody(IReadOnlyList<string> Keys);

internal sealed record ChannelsBody(IReadOnlyList<string> Channels);

internal sealed record CreateChannelBody(string ChannelId, string Name, string? ProfileUrl, IReadOnlyList<string>? Members, bool? Reuse,
    IReadOnlyDictionary<string, string>? Meta);

internal sealed record UpdateChannelBody(string? Name, string? ProfileUrl);

internal sealed record ManagerBody(string Manager);

internal sealed record FreezeBody(bool Freeze);

internal sealed record BanBody(string UserId, long Seconds, string? Reason);

internal sealed record TextMessageBody(string Type, string Content, IReadOnlyDictionary<string, string>? Meta);

internal sealed record ReportBody(string ReportType, string? ReportCategory, string? Reason, string? UserId, string? ChannelType,
    string? ChannelId, long? MessageId);

/// <summary>The wire's JSON: snake_case names, absent optionals omitted, meta keys as given.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(User))]
[JsonSerializable(typeof(Channel))]
[JsonSerializable(typeof(GroupChannel))]
[JsonSerializable(typeof(Message))]
[JsonSerializable(typeof(Ban))]
[JsonSerializable(typeof(Report))]
[JsonSerializable(typeof(GroupChannelPage))]
[JsonSerializable(typeof(MessagePage))]
[JsonSerializable(typeof(ReportPage))]
[JsonSerializable(typeof(List<User>))]
[JsonSerializable(typeof(List<GroupChannel>))]
[JsonSerializable(typeof(List<Ban>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(EventPayload))]
[JsonSerializable(typeof(EmptyBody))]
[JsonSerializable(typeof(ClientIdBody))]
[JsonSerializable(typeof(UpdateUserBody))]
[JsonSerializable(typeof(MetaBody))]
[JsonSerializable(typeof(KeysBody))]
[JsonSerializable(typeof(ChannelsBody))]
[JsonSerializable(typeof(CreateChannelBody))]
[JsonSerializable(typeof(UpdateChannelBody))]
[JsonSerializable(typeof(ManagerBody))]
[JsonSerializable(typeof(FreezeBody))]
[JsonSerializable(typeof(BanBody))]
[JsonSerializable(typeof(TextMessageBody))]
[JsonSerializable(typeof(ReportBody))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(OpenChannel))]
[JsonSerializable(typeof(OpenChannelPage))]
[JsonSerializable(typeof(ParticipantPage))]
[JsonSerializable(typeof(CreateOpenChannelBody))]
internal sealed partial class ChatJsonContext : JsonSerializerContext;
