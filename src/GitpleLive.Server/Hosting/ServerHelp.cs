using System.Reflection;

namespace GitpleLive.Server.Hosting;

/// <summary><c>--help</c>: how to run the server and every setting it reads, with its default.</summary>
public static class ServerHelp
{
    private static readonly Dictionary<string, string> Notes = new(StringComparer.Ordinal)
    {
        ["GitpleLive:DataDirectory"] = "folder for the SQLite file and uploads",
        ["GitpleLive:StorageProvider"] = "sqlite or postgres",
        ["GitpleLive:ConnectionString"] = "database connection string (required for postgres)",
        ["GitpleLive:Redis"] = "Redis configuration string; set it to run several nodes",
        ["GitpleLive:FilesDirectory"] = "folder for uploaded files (default {DataDirectory}/files)",
        ["GitpleLive:PublicBaseUrl"] = "absolute base URL of file links",
        ["GitpleLive:DefaultAppId"] = "app created on first start (env GITPLELIVE_APP_ID)",
        ["GitpleLive:DefaultApiKey"] = "its API key (env GITPLELIVE_API_KEY)",
        ["GitpleLive:DefaultAppAllowTokenless"] = "whether that app allows tokenless users",
        ["GitpleLive:SdkTokenLifetime"] = "lifetime of SDK tokens",
        ["GitpleLive:FileUrlLifetime"] = "lifetime of signed file links",
        ["GitpleLive:SearchIndexInterval"] = "SQLite: how often new messages join the search index",
        ["GitpleLive:MaxJsonBodySize"] = "largest JSON body, bytes",
        ["GitpleLive:MaxUploadSize"] = "largest upload, bytes",
        ["GitpleLive:EnableDiagnostics"] = "benchmark routes under /v1/diagnostics",
        ["GitpleLive:Realtime:Path"] = "path of the MQTT-over-WebSocket endpoint",
        ["GitpleLive:Realtime:ConnectTimeout"] = "time a client has to send CONNECT",
        ["GitpleLive:Realtime:MaxConnectPacketSize"] = "largest packet before CONNECT, bytes",
        ["GitpleLive:Realtime:MaxPacketSize"] = "largest packet of a connected client, bytes",
        ["GitpleLive:RateLimits:Window"] = "window the rate limits count in (apps override limits in PUT /v1/app)",
        ["GitpleLive:Webhooks:EnableDispatcher"] = "whether this node delivers webhooks (others may)",
        ["GitpleLive:Webhooks:AttemptTimeout"] = "longest wait for a webhook receiver's answer",
        ["GitpleLive:Webhooks:GiveUpAfter"] = "how long a failing webhook delivery is retried",
        ["GitpleLive:Webhooks:OrderingDelay"] = "wait before sending (default: 0 on one node, 500 ms with Redis)",
    };

    /// <summary>The option classes listed, with their configuration sections; other areas add theirs here.</summary>
    private static readonly (string Section, Type Type)[] Sections =
    [
        (ChatServerOptions.Section, typeof(ChatServerOptions)),
        (RealtimeOptions.Section, typeof(RealtimeOptions)),
        (RateLimiting.RateLimitOptions.Section, typeof(RateLimiting.RateLimitOptions)),
        (Webhooks.WebhookOptions.Section, typeof(Webhooks.WebhookOptions)),
    ];

    public static bool IsHelp(string[] args) => args is ["--help" or "-h" or "-?" or "help", ..];

    public static void Write(TextWriter output)
    {
        output.WriteLine("GitpleLive.Server: the chat server (REST /v1/sdk and /v1, MQTT over WebSocket at /ws).");
        output.WriteLine();
        output.WriteLine("usage: GitpleLive.Server [--urls=http://host:port] [--Setting=value ...]");
        output.WriteLine("       GitpleLive.Server apps list | apps create NAME [--allow-tokenless] [--Setting=value ...]");
        output.WriteLine();
        output.WriteLine("Settings come from appsettings.json, environment variables (GitpleLive__Redis=…) or the command line");
        output.WriteLine("(--GitpleLive:Redis=…). Default listen address: http://localhost:5080.");
        output.WriteLine();
        foreach (var line in SettingLines()) output.WriteLine(line);
    }

    /// <summary>One line per setting: <c>--Section:Name=default</c> and what it is for.</summary>
    public static IEnumerable<string> SettingLines()
    {
        foreach (var (section, type) in Sections)
        {
            var defaults = Activator.CreateInstance(type);
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                var key = $"{section}:{p.Name}";
                var value = p.GetValue(defaults)?.ToString() ?? "";
                var setting = $"  --{key}={value}";
                yield return Notes.TryGetValue(key, out var note) ? $"{setting,-58} {note}" : setting;
            }
        }
    }
}
