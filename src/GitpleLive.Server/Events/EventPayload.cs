namespace GitpleLive.Server.Events;

/// <summary>
/// The JSON payload of a realtime event: <c>{ category, app_id, channel?, user?, message?, data?, banInfo? }</c>.
/// <see cref="ChatEvent.PayloadBytes"/> fills <c>app_id</c> (the iOS SDK drops an event without it) and, for a ban,
/// <c>banInfo</c> (the Ban again: both mobile SDKs read it there, the JS SDK reads <c>data</c>).
/// </summary>
public sealed record EventPayload(
    string Category, object? Channel = null, object? User = null, object? Message = null, object? Data = null)
{
    public string? AppId { get; init; }

    [System.Text.Json.Serialization.JsonPropertyName("banInfo")]
    public object? BanInfo { get; init; }
}
