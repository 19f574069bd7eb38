namespace GitpleLive.Chat;

/// <summary>
/// The numeric error codes of the GitpleLive protocol: codes sent by the server in error bodies
/// (1001–9999) and codes raised by the SDK itself (60101–60999).
/// </summary>
public static class GitpleLiveErrorCode
{
    /// <summary>1001: invalid or missing parameters.</summary>
    public const int InvalidParameters = 1001;
    /// <summary>1002: resource not found.</summary>
    public const int ResourceNotFound = 1002;
    /// <summary>1003: channel not found.</summary>
    public const int ChannelNotFound = 1003;
    /// <summary>1004: user not found.</summary>
    public const int UserNotFound = 1004;
    /// <summary>1005: message not found.</summary>
    public const int MessageNotFound = 1005;
    /// <summary>1006: the user already joined the channel.</summary>
    public const int AlreadyJoined = 1006;
    /// <summary>1007: an object with that id already exists.</summary>
    public const int DuplicateId = 1007;
    /// <summary>1008: the caller is not a member of the channel.</summary>
    public const int NotJoined = 1008;
    /// <summary>1009: the channel is frozen.</summary>
    public const int ChannelFrozen = 1009;
    /// <summary>1010: the channel's member limit is reached.</summary>
    public const int MemberLimitExceeded = 1010;
    /// <summary>1011: the channel's manager limit is reached.</summary>
    public const int ManagerLimitExceeded = 1011;
    /// <summary>1012: the file is larger than the app allows.</summary>
    public const int FileSizeExceeded = 1012;
    /// <summary>1013: token usage is off.</summary>
    public const int TokenUsageOff = 1013;
    /// <summary>1014: too many meta keys.</summary>
    public const int MetaKeyCountExceeded = 1014;
    /// <summary>1015: user token usage is off.</summary>
    public const int UserTokenUsageOff = 1015;
    /// <summary>1016: the user is not a registered manager.</summary>
    public const int NotManager = 1016;
    /// <summary>1017: managers cannot ban each other.</summary>
    public const int ManagersCannotBanEachOther = 1017;
    /// <summary>1018: a user cannot ban themselves.</summary>
    public const int CannotBanYourself = 1018;
    /// <summary>1019: a banned user cannot join.</summary>
    public const int BannedUserCannotJoin = 1019;
    /// <summary>1020: the content contains profanity.</summary>
    public const int Profanity = 1020;
    /// <summary>3001: the caller has no permission (for example, not a manager).</summary>
    public const int NoPermission = 3001;
    /// <summary>4001: unauthorized (bad or expired token).</summary>
    public const int Unauthorized = 4001;
    /// <summary>4002: unauthorized organization.</summary>
    public const int UnauthorizedOrganization = 4002;
    /// <summary>4003: unauthorized application.</summary>
    public const int UnauthorizedApplication = 4003;
    /// <summary>9001: too many requests.</summary>
    public const int TooManyRequests = 9001;
    /// <summary>9999: unknown server error.</summary>
    public const int UnknownServerError = 9999;

    /// <summary>60101: invalid parameters given to the SDK (for example, missing host or app id).</summary>
    public const int ClientInvalidParameters = 60101;
    /// <summary>60102: the session token is malformed or belongs to another user.</summary>
    public const int InvalidToken = 60102;
    /// <summary>60103: the session token has expired or expires within 10 seconds.</summary>
    public const int ExpiredToken = 60103;
    /// <summary>60104: invalid channel id.</summary>
    public const int InvalidChannelId = 60104;
    /// <summary>60901: the server did not answer in time.</summary>
    public const int ServerNotResponding = 60901;
    /// <summary>60902: the SDK could not connect to the server.</summary>
    public const int UnableToConnect = 60902;
    /// <summary>60903: the server refused an event subscription.</summary>
    public const int UnableToSubscribeEvent = 60903;
    /// <summary>60904: the client is not connected.</summary>
    public const int NotConnected = 60904;
    /// <summary>60999: an unexpected error; see the message and inner exception.</summary>
    public const int UnknownError = 60999;


    /// <summary>Returns the protocol's snake_case name of a code, or <c>unknown</c> for codes this SDK does not know.</summary>
    /// <param name="code">A server or client error code.</param>
    /// <returns>The name, for example <c>not_joined</c> for 1008 or <c>not_connected</c> for 60904.</returns>
    public static string GetName(int code) => code switch
    {
        InvalidParameters => "invalid_parameters",
        ResourceNotFound => "resource_not_found",
        ChannelNotFound => "channel_not_found",
        UserNotFound => "user_not_found",
        MessageNotFound => "message_not_found",
        AlreadyJoined => "already_joined",
        DuplicateId => "duplicate_id",
        NotJoined => "not_joined",
        ChannelFrozen => "channel_frozen",
        MemberLimitExceeded => "member_limit_exceeded",
        ManagerLimitExceeded => "manager_limit_exceeded",
        FileSizeExceeded => "file_size_exceeded",
        TokenUsageOff => "token_usage_off",
        MetaKeyCountExceeded => "meta_key_count_exceeded",
        UserTokenUsageOff => "user_token_usage_off",
        NotManager => "not_manager",
        ManagersCannotBanEachOther => "managers_cannot_ban_each_other",
        CannotBanYourself => "cannot_ban_yourself",
        BannedUserCannotJoin => "banned_user_cannot_join",
        Profanity => "profanity",
        NoPermission => "no_permission",
        Unauthorized => "unauthorized",
        UnauthorizedOrganization => "unauthorized_organization",
        UnauthorizedApplication => "unauthorized_application",
        TooManyRequests => "too_many_requests",
        UnknownServerError => "unknown_server_error",
        ClientInvalidParameters => "invalid_parameters",
        InvalidToken => "invalid_token",
        ExpiredToken => "expired_token",
        InvalidChannelId => "invalid_channel_id",
        ServerNotResponding => "server_not_responding",
        UnableToConnect => "unable_to_connect",
        UnableToSubscribeEvent => "unable_to_subscribe_event",
        NotConnected => "not_connected",
        UnknownError => "unknown_error",
        _ => "unknown",
    };
}
