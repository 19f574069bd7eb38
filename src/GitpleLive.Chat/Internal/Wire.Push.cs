using System.Text.Json.Serialization;

namespace GitpleLive.Chat.Internal;

internal sealed record PushTokenBody(string Token, string? Platform);

internal sealed record PushPreferenceBody(string Push);

internal sealed record PushPreferenceAnswer(string ChannelId, string UserId, string Push);

/// <summary>The push bodies' JSON, with the wire's options (<see cref="ChatJsonContext"/>'s; one generated context per file).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(PushTokenBody))]
[JsonSerializable(typeof(PushPreferenceBody))]
[JsonSerializable(typeof(PushPreferenceAnswer))]
internal sealed partial class ChatPushJsonContext : JsonSerializerContext;

/// <summary>The wire names of <see cref="PushPlatform"/> and <see cref="PushPreference"/>.</summary>
internal static class PushWire
{
    public static string Name(PushPlatform platform) => platform switch
    {
        PushPlatform.Android => "android",
        PushPlatform.Ios => "ios",
        _ => throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, $"unknown push platform {platform}"),
    };

    public static string Name(PushPreference preference) => preference switch
    {
        PushPreference.All => "all",
        PushPreference.Mentions => "mentions",
        PushPreference.Off => "off",
        _ => throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, $"unknown push preference {preference}"),
    };

    public static PushPreference Preference(string name) => name switch
    {
        "all" => PushPreference.All,
        "mentions" => PushPreference.Mentions,
        "off" => PushPreference.Off,
        _ => throw new GitpleLiveException(GitpleLiveErrorCode.UnknownError, $"the server answered an unknown push preference '{name}'"),
    };
}
