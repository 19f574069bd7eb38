namespace GitpleLive.Server.Endpoints;

/// <summary>An app's settings as the Platform API shows them (never its secrets).</summary>
public sealed record AppSettings(string AppId, string Name, bool AllowTokenless, int MaxMembersPerChannel, int MaxManagersPerChannel,
    long MaxFileSize, int MaxMetaKeys,
    string ProfanityMode, IReadOnlyList<string> ProfanityWords, IReadOnlyDictionary<string, int> RateLimits)
{
    /// <summary>How many users may be in one open channel at once.</summary>
    public int MaxParticipantsPerOpenChannel { get; init; }

    public static AppSettings From(AppRow a) => new(a.AppId, a.Name, a.AllowTokenless, a.MaxMembersPerChannel, a.MaxManagersPerChannel,
        a.MaxFileSize, a.MaxMetaKeys,
        a.ProfanityMode, a.ProfanityWords?.Split('\n') ?? [], RateLimiting.ChatRateLimiter.Overrides(a))
    {
        MaxParticipantsPerOpenChannel = a.MaxParticipantsPerOpenChannel,
    };
}
