// The protocol's error codes come from the source the SDK and the Platform client share (GitpleLive.Protocol).
global using ErrorCodes = GitpleLive.Chat.GitpleLiveErrorCode;
