namespace GitpleLive.Server.OpenApi;

/// <summary>The error codes an operation may answer, by HTTP status, from its API, method and route pattern.</summary>
internal static class ApiErrors
{
    private static readonly Dictionary<int, string> Names = new()
    {
        [ErrorCodes.InvalidParameters] = "invalid parameters",
        [ErrorCodes.ResourceNotFound] = "resource not found",
        [ErrorCodes.ChannelNotFound] = "channel not found",
        [ErrorCodes.UserNotFound] = "user not found",
        [ErrorCodes.MessageNotFound] = "message not found",
        [ErrorCodes.AlreadyJoined] = "already joined",
        [ErrorCodes.DuplicateId] = "duplicate id",
        [ErrorCodes.NotJoined] = "not a member",
        [ErrorCodes.ChannelFrozen] = "channel frozen",
        [ErrorCodes.MemberLimitExceeded] = "member limit",
        [ErrorCodes.ManagerLimitExceeded] = "manager limit",
        [ErrorCodes.FileSizeExceeded] = "file too large",
        [ErrorCodes.TokenUsageOff] = "token-less use off",
        [ErrorCodes.MetaKeyCountExceeded] = "too many meta keys",
        [ErrorCodes.NotManager] = "not a manager",
        [ErrorCodes.ManagersCannotBanEachOther] = "managers cannot ban each other",
        [ErrorCodes.CannotBanYourself] = "cannot ban yourself",
        [ErrorCodes.BannedUserCannotJoin] = "banned",
        [ErrorCodes.Profanity] = "profanity",
        [ErrorCodes.NoPermission] = "no permission",
        [ErrorCodes.Unauthorized] = "unauthorized",
        [ErrorCodes.UnauthorizedApplication] = "unknown app or wrong API key",
        [ErrorCodes.UnknownServerError] = "unknown server error",
    };

    public static string Describe(int code) => Names.TryGetValue(code, out var name) ? $"{code} {name}" : code.ToString(
        System.Globalization.CultureInfo.InvariantCulture);

    public static IEnumerable<(int Status, int[] Codes)> For(ApiReference.Api api, string method, string pattern)
    {
        var key = $"{method} {pattern}";
        var bad = new List<int> { ErrorCodes.InvalidParameters };
        var forbidden = new List<int>();
        var notFound = new List<int>();
        if (pattern.Contains("{channelId}", StringComparison.Ordinal)) notFound.Add(ErrorCodes.ChannelNotFound);
        if (pattern.Contains("{userId}", StringComparison.Ordinal) || pattern.StartsWith("/group/channels", StringComparison.Ordinal)
            && method != "GET")
            notFound.Add(ErrorCodes.UserNotFound);
        if (pattern.Contains("{messageId}", StringComparison.Ordinal)) notFound.Add(ErrorCodes.MessageNotFound);
        if (pattern.StartsWith("/v1/files/", StringComparison.Ordinal)) notFound.Add(ErrorCodes.ResourceNotFound);
        if (api == ApiReference.Api.Sdk && pattern.Contains("{channelId}", StringComparison.Ordinal))
            forbidden.AddRange([ErrorCodes.NotJoined, ErrorCodes.NoPermission]);
        if (pattern.EndsWith("/meta", StringComparison.Ordinal) && method == "PUT") bad.Add(ErrorCodes.MetaKeyCountExceeded);

        switch (key)
        {
            case "POST /group/channels":
                bad.AddRange([ErrorCodes.DuplicateId, ErrorCodes.MemberLimitExceeded, ErrorCodes.ManagerLimitExceeded]);
                break;
            case "POST /users":
                bad.Add(ErrorCodes.DuplicateId);
                break;
            case "POST /group/channels/{channelId}/messages":
                bad.AddRange([ErrorCodes.FileSizeExceeded, ErrorCodes.Profanity]);
                forbidden.Add(ErrorCodes.ChannelFrozen);
                break;
            case "POST /group/channels/{channelId}/members":
            case "PUT /group/channels/{channelId}/join":
                bad.AddRange([ErrorCodes.AlreadyJoined, ErrorCodes.MemberLimitExceeded]);
                forbidden.Add(ErrorCodes.BannedUserCannotJoin);
                break;
            case "POST /group/channels/{channelId}/managers":
                bad.AddRange([ErrorCodes.ManagerLimitExceeded, ErrorCodes.NotManager]);
                break;
            case "POST /group/channels/{channelId}/ban":
                bad.Add(ErrorCodes.CannotBanYourself);
                forbidden.Add(ErrorCodes.ManagersCannotBanEachOther);
                break;
            case "POST /users/token/by_client_id":
                bad.Add(ErrorCodes.TokenUsageOff);
                break;
            case "GET /search/messages":
                forbidden.AddRange([ErrorCodes.NotJoined, ErrorCodes.NoPermission]);
                notFound.AddRange([ErrorCodes.ChannelNotFound, ErrorCodes.UserNotFound]);
                break;
        }

        yield return (400, [.. bad.Distinct()]);
        if (api != ApiReference.Api.None)
            yield return (401, api == ApiReference.Api.Platform
                ? [ErrorCodes.UnauthorizedApplication]
                : [ErrorCodes.Unauthorized, ErrorCodes.UnauthorizedApplication]);
        if (forbidden.Count > 0) yield return (403, [.. forbidden.Distinct()]);
        if (notFound.Count > 0) yield return (404, [.. notFound.Distinct()]);
        if (key == "POST /group/channels/{channelId}/messages") yield return (413, [ErrorCodes.FileSizeExceeded]);
        yield return (500, [ErrorCodes.UnknownServerError]);
    }
}
