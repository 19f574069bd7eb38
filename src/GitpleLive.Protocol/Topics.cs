namespace GitpleLive.Protocol;

/// <summary>
/// The MQTT topic shapes of PROTOCOL §6 and the client id of §4. A client holds exactly these filters; the server
/// publishes each event under the filter's prefix followed by the event's category.
/// </summary>
public static class Topics
{
    /// <summary>The root every app's topics start with.</summary>
    public const string Root = "mqtt/topic/gitple/live";

    /// <summary>The channel type of group channels, the default in channel topics.</summary>
    public const string GroupChannelType = "group";

    /// <summary><c>mqtt/topic/gitple/live/{app_id}</c>.</summary>
    /// <param name="appId">The app id.</param>
    /// <returns>The app's topic prefix, without a trailing slash.</returns>
    public static string Prefix(string appId) => $"{Root}/{appId}";

    /// <summary><c>{prefix}/user/all/{user_id}/#</c>: a user's own events.</summary>
    /// <param name="appId">The app id.</param>
    /// <param name="userId">The user id.</param>
    /// <returns>The topic filter.</returns>
    public static string User(string appId, string userId) => $"{Prefix(appId)}/user/all/{userId}/#";

    /// <summary><c>{prefix}/channel/{type}/{channel_id}/all/#</c>: the events every member hears.</summary>
    /// <param name="appId">The app id.</param>
    /// <param name="channelId">The channel id.</param>
    /// <param name="type">The channel type, <c>group</c> by default.</param>
    /// <returns>The topic filter.</returns>
    public static string ChannelAll(string appId, string channelId, string type = GroupChannelType) =>
        $"{Prefix(appId)}/channel/{type}/{channelId}/all/#";

    /// <summary><c>{prefix}/channel/{type}/{channel_id}/manager/#</c>: the events only managers hear.</summary>
    /// <param name="appId">The app id.</param>
    /// <param name="channelId">The channel id.</param>
    /// <param name="type">The channel type, <c>group</c> by default.</param>
    /// <returns>The topic filter.</returns>
    public static string ChannelManager(string appId, string channelId, string type = GroupChannelType) =>
        $"{Prefix(appId)}/channel/{type}/{channelId}/manager/#";

    /// <summary>The MQTT client id <c>{app_id}::{user_id}::{sdk_version}::{connect_ms}::{client_ip}</c> (PROTOCOL §4).</summary>
    /// <param name="appId">The app id.</param>
    /// <param name="userId">The user id.</param>
    /// <param name="sdkVersion">The SDK's version.</param>
    /// <param name="connectMs">The connect time, Unix milliseconds.</param>
    /// <param name="clientIp">The client's address as the server sees it.</param>
    /// <returns>The client id.</returns>
    public static string ClientId(string appId, string userId, string sdkVersion, long connectMs, string clientIp) =>
        $"{appId}::{userId}::{sdkVersion}::{connectMs}::{clientIp}";

    /// <summary><c>{prefix}/user/all/{user_id}/</c>: the start of every topic a user's own events use.</summary>
    /// <param name="appId">The app id.</param>
    /// <param name="userId">The user id.</param>
    /// <returns>The topic start, ending in a slash; the event's category follows it, <c>#</c> makes it a filter.</returns>
    public static string UserBase(string appId, string userId) => $"{Prefix(appId)}/user/all/{userId}/";

    /// <summary><c>{prefix}/channel/{type}/{channel_id}/all/</c> or <c>…/manager/</c>: the start of a channel's topics.</summary>
    /// <param name="appId">The app id.</param>
    /// <param name="channelType">The channel type (<c>group</c> or <c>open</c>).</param>
    /// <param name="channelId">The channel id.</param>
    /// <param name="manager">True for the managers-only topic.</param>
    /// <returns>The topic start, ending in a slash; the event's category follows it, <c>#</c> makes it a filter.</returns>
    public static string ChannelBase(string appId, string channelType, string channelId, bool manager) =>
        $"{Prefix(appId)}/channel/{channelType}/{channelId}/{(manager ? "manager" : "all")}/";
}
