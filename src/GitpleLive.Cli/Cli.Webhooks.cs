using System.CommandLine;
using GitpleLive.Platform;
using Spectre.Console;

namespace GitpleLive.Cli;

public static partial class Cli
{
    /// <summary><c>gitplelive webhooks show|set|off|deliveries|ping</c>.</summary>
    private static Command Webhooks()
    {
        var webhooks = new Command("webhooks", "Show or change where the app's changes are POSTed, read the delivery log, send a ping.");
        var show = new Command("show", "Show the webhook settings (the secret is masked).");
        show.SetAction(Run(async (p, client, ct) => PrintWebhooks(await client.GetWebhookSettingsAsync(ct))));
        webhooks.Subcommands.Add(show);

        var url = new Option<string>("--url") { Description = "Absolute http(s) URL of the app backend's endpoint", Required = true };
        var secret = new Option<string?>("--secret")
        {
            Description = "Signing secret, 16 to 256 characters (required the first time; kept when left out)",
        };
        var categories = new Option<string[]?>("--categories")
        {
            Description = "Categories to deliver: * for every change, or names such as group:message_send (repeatable or comma-separated)",
            AllowMultipleArgumentsPerToken = true,
        };
        var set = new Command("set", "Set the webhook URL, secret and categories.") { url, secret, categories };
        set.SetAction(Run(async (p, client, ct) => PrintWebhooks(await client.SetWebhookSettingsAsync(new WebhookSettingsUpdate
        {
            Url = p.GetValue(url)!,
            Secret = p.GetValue(secret),
            Categories = p.GetValue(categories)
                ?.SelectMany(c => c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
        }, ct))));
        webhooks.Subcommands.Add(set);

        var off = new Command("off", "Turn webhooks off (queued deliveries are given up).");
        off.SetAction(Run(async (p, client, ct) =>
        {
            await client.DeleteWebhookSettingsAsync(ct);
            AnsiConsole.MarkupLine("webhooks are [bold]off[/]");
        }));
        webhooks.Subcommands.Add(off);

        var limit = new Option<int>("--limit") { Description = "How many (1-100)", DefaultValueFactory = _ => 20 };
        var deliveries = new Command("deliveries", "The most recent deliveries, newest first.") { limit };
        deliveries.SetAction(Run(async (p, client, ct) =>
        {
            var table = new Table().AddColumns("delivery id", "category", "status", "attempts", "last error", "created");
            foreach (var d in await client.GetWebhookDeliveriesAsync(p.GetValue(limit), ct))
                table.AddRow(Markup.Escape(d.DeliveryId), Markup.Escape(d.Category), StatusMarkup(d.Status), d.Attempts.ToString(),
                    Markup.Escape(d.LastError ?? ""), $"{DateTimeOffset.FromUnixTimeMilliseconds(d.CreatedAt):u}");
            AnsiConsole.Write(table);
        }));
        webhooks.Subcommands.Add(deliveries);

        var ping = new Command("ping", "Queue a test delivery (category webhook:ping) and print its delivery id.");
        ping.SetAction(Run(async (p, client, ct) =>
        {
            var id = await client.PingWebhookAsync(ct);
            AnsiConsole.MarkupLine("ping queued; see [bold]gitplelive webhooks deliveries[/] for the outcome. Delivery id:");
            Console.WriteLine(id);
        }));
        webhooks.Subcommands.Add(ping);
        return webhooks;
    }

    private static string StatusMarkup(string status) => status switch
    {
        "delivered" => "[green]delivered[/]",
        "failed" => "[red]failed[/]",
        _ => Markup.Escape(status),
    };

    private static void PrintWebhooks(WebhookSettings s)
    {
        if (s.Url is null)
        {
            AnsiConsole.MarkupLine("webhooks are [bold]off[/] (gitplelive webhooks set --url URL --secret SECRET to turn them on)");
            return;
        }
        var table = new Table().AddColumns("setting", "value");
        table.AddRow("url", Markup.Escape(s.Url));
        table.AddRow("secret", Markup.Escape(s.Secret ?? ""));
        table.AddRow("categories", Markup.Escape(string.Join(", ", s.Categories)));
        AnsiConsole.Write(table);
    }
}
