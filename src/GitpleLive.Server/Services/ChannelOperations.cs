namespace GitpleLive.Server.Services;

// What group and open channels offer alike, so that Endpoints/ maps each of these route shapes once
// (ChannelsApi.MapChannelAdmin, MembersApi.MapManagers, BansApi.MapBans) over either channel kind's service.

/// <summary>One channel read, changed, frozen or deleted; each channel kind applies its own rules and events.</summary>
public interface IChannelAdmin
{
    Task<ChannelDto> GetAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default);

    Task<ChannelDto> UpdateAsync(ChatCaller caller, string channelId, string? name, string? profileUrl,
        Dictionary<string, string>? meta = null, CancellationToken cancellationToken = default);

    Task<ChannelDto> FreezeAsync(ChatCaller caller, string channelId, bool freeze, CancellationToken cancellationToken = default);

    Task DeleteAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default);
}

/// <summary>A channel's managers: listed, one added, one removed.</summary>
public interface IChannelManagers
{
    Task<List<UserDto>> ManagersAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default);

    Task AddManagerAsync(ChatCaller caller, string channelId, string userId, CancellationToken cancellationToken = default);

    Task RemoveManagerAsync(ChatCaller caller, string channelId, string userId, CancellationToken cancellationToken = default);
}

/// <summary>A channel's bans: one user banned (for <c>seconds</c>, null meaning permanent) or unbanned, the list.</summary>
public interface IChannelBans
{
    Task<BanDto> BanAsync(ChatCaller caller, string channelId, string userId, long? seconds, string? reason,
        CancellationToken cancellationToken = default);

    Task UnbanAsync(ChatCaller caller, string channelId, string userId, CancellationToken cancellationToken = default);

    Task<List<BanDto>> BannedAsync(ChatCaller caller, string channelId, CancellationToken cancellationToken = default);
}
