using System.Runtime.CompilerServices;

// Both types live in GitpleLive.Protocol (shared with the server and the Platform client) under their old
// names, so code compiled against an earlier GitpleLive.Chat keeps finding them here.
// The exception's two constructors shipped with an optional innerException each (RS0026); they stay as they were.
#pragma warning disable RS0026
[assembly: TypeForwardedTo(typeof(GitpleLive.Chat.GitpleLiveException))]
#pragma warning restore RS0026
[assembly: TypeForwardedTo(typeof(GitpleLive.Chat.GitpleLiveErrorCode))]
