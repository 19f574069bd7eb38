using System.CommandLine;
using GitpleLive.Chat;
using GitpleLive.Platform;
using Spectre.Console;

namespace GitpleLive.Cli;

public static partial class Cli
{
    /// <summary><c>push show|set-fcm|set-apns|set-webhook|remove</c>: the app's push providers.</summary>
    private static Command Push()
    {
        var push = new Command("push", "Show and set the app's push providers (FCM, APNs, webhook). Secrets are read from files.");
        var show = new Command("show", "Show the push providers (secrets are never shown).");
        show.SetAction(Run(async (p, client, ct) => PrintPush(await client.GetPushSettingsAsync(ct))));
        push.Subcommands.Add(show);

        var keyFile = new Option<FileInfo?>("--key-file") { Description = "The service account key (JSON file from the Firebase console)" };
        var project = new Option<string?>("--project-id") { Description = "Firebase project id (default: the key's project_id)" };
        var fcmEndpoint = new Option<string?>("--endpoint") 
        {
            Description = "Send endpoint, when not Google's ({project_id} is filled in)",
        };
        var tokenEndpoint = new Option<string?>("--token-endpoint") { Description = "OAuth2 token endpoint, when not the key's token_uri" };
        var setFcm = new Command("set-fcm", "Set or change FCM HTTP v1.") { keyFile, project, fcmEndpoint, tokenEndpoint };
        setFcm.SetAction(Run(async (p, client, ct) => PrintPush(await client.UpdatePushSettingsAsync(new PushSettingsUpdate
        {
            Fcm = new FcmPushUpdate
            {
                ServiceAccountJson = await ReadSecretAsync(p.GetValue(keyFile), ct), ProjectId = p.GetValue(project),
                Endpoint = p.GetValue(fcmEndpoint), TokenEndpoint = p.GetValue(tokenEndpoint),
            },
        }, ct))));
        push.Subcommands.Add(setFcm);

        var team = new Option<string?>("--team-id") { Description = "Apple developer team id" };
        var keyId = new Option<string?>("--key-id") { Description = "The .p8 key's id" };
        var bundle = new Option<string?>("--bundle-id") { Description = "The app's bundle id (apns-topic)" };
        var p8 = new Option<FileInfo?>("--p8-file") { Description = "The APNs auth key (.p8 file)" };
        var production = new Option<bool?>("--production") { Description = "true: production APNs; false: sandbox" };
        var apnsEndpoint = new Option<string?>("--endpoint") { Description = "APNs base URL, when not Apple's" };
        var setApns = new Command("set-apns", "Set or change APNs (token-based auth).")
        {
            team, keyId, bundle, p8, production, apnsEndpoint,
        };
        setApns.SetAction(Run(async (p, client, ct) => PrintPush(await client.UpdatePushSettingsAsync(new PushSettingsUpdate
        {
            Apns = new ApnsPushUpdate
            {
                TeamId = p.GetValue(team), KeyId = p.GetValue(keyId), BundleId = p.GetValue(bundle),
                P8Pem = await ReadSecretAsync(p.GetValue(p8), ct), Production = p.GetValue(production), Endpoint = p.GetValue(apnsEndpoint),
            },
        }, ct))));
        push.Subcommands.Add(setApns);

        var url = new Option<string?>("--url") { Description = "Where each push is POSTed" };
        var secretFile = new Option<FileInfo?>("--secret-file") 
        {
            Description = "File holding the signing secret (at least 16 characters)",
        };
        var setWebhook = new Command("set-webhook", "Set or change the webhook push provider.") { url, secretFile };
        setWebhook.SetAction(Run(async (p, client, ct) => PrintPush(await client.UpdatePushSettingsAsync(new PushSettingsUpdate
        {
            Webhook = new WebhookPushUpdate { Url = p.GetValue(url), Secret = (await ReadSecretAsync(p.GetValue(secretFile), ct))?.Trim() },
        }, ct))));
        push.Subcommands.Add(setWebhook);

        var provider = new Argument<string>("provider") { Description = "fcm, apns or webhook" };
        provider.AcceptOnlyFromAmong("fcm", "apns", "webhook");
        var remove = new Command("remove", "Remove a push provider.") { provider };
        remove.SetAction(Run(async (p, client, ct) => PrintPush(await client.UpdatePushSettingsAsync(new PushSettingsUpdate
        {
            Remove = [p.GetValue(provider)!],
        }, ct))));
        push.Subcommands.Add(remove);
        return push;
    }

    private static async Task<string?> ReadSecretAsync(FileInfo? file, CancellationToken ct)
    {
        if (file is null) return null;
        if (!file.Exists) throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, $"no such file: {file.FullName}");
        return await File.ReadAllTextAsync(file.FullName, ct);
    }

    private static void PrintPush(PushSettings settings)
    {
        var table = new Table().AddColumns("provider", "settings");
        table.AddRow("fcm", settings.Fcm is { } f
            ? Markup.Escape($"project {f.ProjectId}, key {f.ClientEmail}" + (f.Endpoint is null ? "" : $", endpoint {f.Endpoint}"))
            : "[grey]not set[/]");
        table.AddRow("apns", settings.Apns is { } a
            ? Markup.Escape($"team {a.TeamId}, key {a.KeyId}, bundle {a.BundleId}, {(a.Production ? "production" : "sandbox")}"
                + (a.Endpoint is null ? "" : $", endpoint {a.Endpoint}"))
            : "[grey]not set[/]");
        table.AddRow("webhook", settings.Webhook is { } w ? Markup.Escape(w.Url) : "[grey]not set[/]");
        AnsiConsole.Write(table);
    }
}
