namespace GitpleLive.Server.Services;

/// <summary>What the realtime layer needs to know of an app.</summary>
public sealed record AppInfo(string AppId, bool AllowTokenless);
