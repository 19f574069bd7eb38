namespace GitpleLive.Server.Api;

/// <summary>The protocol's error codes (PROTOCOL §7).</summary>
public static class ErrorCodes
{
    public const int InvalidParameters = 1001;
    public const int ResourceNotFound = 1002;
    public const int ChannelNotFound = 1003;
    public const int UserNotFound = 1004;
    public const int MessageNotFound = 1005;
    public const int AlreadyJoined = 1006;
    public const int DuplicateId = 1007;
    public const int NotJoined = 1008;
    public const int ChannelFrozen = 1009;
    public const int MemberLimitExceeded = 1010;
    public const int ManagerLimitExceeded = 1011;
    public const int FileSizeExceeded = 1012;
    public const int TokenUsageOff = 1013;
    public const int MetaKeyCountExceeded = 1014;
    public const int UserTokenUsageOff = 1015;
    public const int NotManager = 1016;
    public const int ManagersCannotBanEachOther = 1017;
    public const int CannotBanYourself = 1018;
    public const int BannedCannotJoin = 1019;
    public const int Profanity = 1020;
    public const int NoPermission = 3001;
    public const int Unauthorized = 4001;
    public const int UnauthorizedOrganization = 4002;
    public const int UnauthorizedApplication = 4003;
    public const int TooManyRequests = 9001;
    public const int Unknown = 9999;
}
