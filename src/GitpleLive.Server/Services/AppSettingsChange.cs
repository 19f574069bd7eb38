namespace GitpleLive.Server.Services;

/// <summary>
/// A change of an app's settings: null leaves a setting as it is. <see cref="AppService.UpdateSettingsAsync"/> checks it.
/// </summary>
public sealed record AppSettingsChange(
    long? MaxMembersPerChannel = null,
    long? MaxManagersPerChannel = null,
    long? MaxFileSize = null,
    long? MaxMetaKeys = null,
    bool? AllowTokenless = null,
    string? Name = null,
    string? ProfanityMode = null,
    IReadOnlyList<string>? ProfanityWords = null,
    IReadOnlyDictionary<string, int?>? RateLimits = null,
    long? MaxParticipantsPerOpenChannel = null);
