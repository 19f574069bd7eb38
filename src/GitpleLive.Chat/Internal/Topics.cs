namespace GitpleLive.Chat.Internal;

/// <summary>MQTT topic filters of PROTOCOL §6.</summary>
internal static class Topics
{
    public static string Prefix(string appId) => $"mqtt/topic/gitple/live/{appId}";

    public static string User(string appId, string userId) => $"{Prefix(appId)}/user/all/{userId}/#";

    public static string ChannelAll(string appId, string channelId, string type = "group") => $"{Prefix(appId)}/channel/{type}/{channelId}/all/#";

    public static string ChannelManager(string appId, string channelId, string type = "group") => $"{Prefix(appId)}/channel/{type}/{channelId}/manager/#";

    /// <summary><c>{app_id}::{user_id}::{sdk_version}::{connect_ms}::{client_ip}</c> (PROTOCOL §4).</summary>
    public static string ClientId(string appId, string userId, string sdkVersion, long connectMs, string clientIp) =>
        $"{appId}::{userId}::{sdkVersion}::{connectMs}::{clientIp}";
}
