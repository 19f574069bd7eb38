namespace GitpleLive.Chat.Internal;

/// <summary>Argument checks that fail with the protocol's client codes rather than .NET argument exceptions.</summary>
internal static class Argument
{
    public static string ChannelId(string? channelId) =>
        string.IsNullOrWhiteSpace(channelId) ? throw new GitpleLiveException(GitpleLiveErrorCode.InvalidChannelId,
            "channel id is required") : channelId;

    public static string Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters,
            $"{name} is required") : value;

    public static T NotNull<T>(T? value, string name) where T : class =>
        value ?? throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, $"{name} is required");

    public static IReadOnlyList<string> NonEmpty(IEnumerable<string>? values, string name)
    {
        var list = values?.ToList() ?? throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, $"{name} is required");
        if (list.Count == 0 || list.Any(string.IsNullOrWhiteSpace))
            throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, $"{name} must hold at least one non-empty value");
        return list;
    }

    public static void MessageId(long messageId)
    {
        if (messageId <= 0) throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, "message id must be positive");
    }
}
