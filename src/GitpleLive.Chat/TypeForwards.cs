using System.Runtime.CompilerServices;

// Both types live in GitpleLive.Protocol (shared with the server and the Platform client) under their old
// names, so code compiled against an earlier GitpleLive.Chat keeps finding them here.
[assembly: TypeForwardedTo(typeof(GitpleLive.Chat.GitpleLiveException))]
[assembly: TypeForwardedTo(typeof(GitpleLive.Chat.GitpleLiveErrorCode))]
