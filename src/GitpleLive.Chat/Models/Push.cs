namespace GitpleLive.Chat;

/// <summary>The platform of a device's push token: which push service delivers to it.</summary>
public enum PushPlatform
{
    /// <summary>An Android device (Firebase Cloud Messaging token).</summary>
    Android,
    /// <summary>An Apple device (APNs device token, hex).</summary>
    Ios,
}

/// <summary>Which messages of a channel are pushed to the member's devices while they are offline.</summary>
public enum PushPreference
{
    /// <summary>Every message (the default).</summary>
    All,
    /// <summary>Only messages that mention the member, and replies in threads the member takes part in.</summary>
    Mentions,
    /// <summary>None.</summary>
    Off,
}
