namespace GitpleLive.Server.Storage;

/// <summary>Input limits shared by validation and the schema.</summary>
public static class Limits
{
    public const int IdLength = 128;
    public const int NameLength = 191;
    public const int UrlLength = 2048;
    public const int ContentLength = 10_000;
    public const int MetaKeyLength = 128;
    public const int MetaValueLength = 1024;
    public const int ReasonLength = 1000;
    /// <summary>An MQTT client id (and a device id taken from one).</summary>
    public const int ClientIdLength = 512;
    /// <summary>A push token (FCM registration tokens are about 160 characters, APNs tokens 64); indexed, so bounded.</summary>
    public const int DeviceTokenLength = 1024;
    /// <summary>A reaction key (an emoji or a short name), in UTF-16 code units (what JavaScript's <c>length</c> counts).</summary>
    public const int ReactionKeyLength = 32;
    /// <summary>Distinct reaction keys one message may carry; a new key beyond it is refused (1001).</summary>
    public const int MaxReactionKeys = 20;
    /// <summary>How many of a reaction's users a message lists (<c>user_ids</c>, the first to react); <c>count</c> has them all.</summary>
    public const int ReactionUserIds = 20;
    /// <summary>Users one message may mention.</summary>
    public const int MaxMentions = 50;
}
