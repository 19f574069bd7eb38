// The protocol's error codes come from the source the SDK and the Platform client share (GitpleLive.Protocol).
global using ErrorCodes = GitpleLive.Chat.GitpleLiveErrorCode;

// The project's own namespaces, and EF Core, which most of its files use.
global using GitpleLive.Protocol;
global using GitpleLive.Server.Api;
global using GitpleLive.Server.Auth;
global using GitpleLive.Server.Events;
global using GitpleLive.Server.Services;
global using GitpleLive.Server.Storage;
global using GitpleLive.Server.Hosting;
global using GitpleLive.Server.Endpoints;
global using GitpleLive.Server.Realtime;
global using Microsoft.EntityFrameworkCore;
