namespace GitpleLive.Server.Events;

/// <summary>The JSON payload of a realtime event: <c>{ category, channel?, user?, message?, data? }</c>.</summary>
public sealed record EventPayload(
    string Category, object? Channel = null, object? User = null, object? Message = null, object? Data = null);
