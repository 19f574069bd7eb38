using System.CommandLine;
using GitpleLive.Chat;
using GitpleLive.Platform;
using Spectre.Console;

namespace GitpleLive.Cli;

/// <summary>
/// <c>gitplelive</c>: the operator's command line over the Platform API. Connection settings come
/// from options or the environment (<c>GITPLELIVE_HOST</c>, <c>GITPLELIVE_APP_ID</c>, <c>GITPLELIVE_API_KEY</c>).
/// </summary>
public static partial class Cli
{
    private static readonly Option<string> Host = new("--host") { Description = "Server host, e.g. localhost:5080 (env GITPLELIVE_HOST)",
        Recursive = true, DefaultValueFactory = _ => Environment.GetEnvironmentVariable("GITPLELIVE_HOST") ?? "localhost:5080" };
    private static readonly Option<string?> AppId = new("--app-id") { Description = "App id (env GITPLELIVE_APP_ID)", Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("GITPLELIVE_APP_ID") };
    // No default value: help prints defaults, and the key must never show there. The environment is read when a command runs.
    private static readonly Option<string?> ApiKey = new("--api-key") { Description = "App API key (env GITPLELIVE_API_KEY)",
        Recursive = true };

    public static RootCommand Build()
    {
        var root = new RootCommand("Administer a GitpleLive chat app through the Platform API.");
        root.Options.Add(Host);
        root.Options.Add(AppId);
        root.Options.Add(ApiKey);
        root.Subcommands.Add(Users());
        root.Subcommands.Add(Token());
        root.Subcommands.Add(Channels());
        root.Subcommands.Add(Messages());
        root.Subcommands.Add(App());
        root.Subcommands.Add(Open());
        root.Subcommands.Add(Push());
        root.Subcommands.Add(Webhooks());
        return root;
    }

    private static Command Users()
    {
        var users = new Command("users", "Create, show, list and delete users.");

        var id = new Argument<string>("user-id");
        var name = new Option<string?>("--name") { Description = "Display name (default: the id)" };
        var create = new Command("create", "Create a user.") { id, name };
        create.SetAction(Run(async (p, client, ct) =>
            PrintUsers([await client.CreateUserAsync(p.GetValue(id)!, p.GetValue(name) ?? p.GetValue(id)!, cancellationToken: ct)])));
        users.Subcommands.Add(create);

        var show = new Command("show", "Show a user.") { id };
        show.SetAction(Run(async (p, client, ct) => PrintUsers([await client.GetUserAsync(p.GetValue(id)!, ct)])));
        users.Subcommands.Add(show);

        users.Subcommands.Add(ListCommand("List every user.", (client, ct) => client.GetUsersAsync(cancellationToken: ct), PrintUsers));
        users.Subcommands.Add(DeleteCommand("Delete a user (their clients are disconnected).", id,
            (client, userId, ct) => client.DeleteUserAsync(userId, ct)));
        return users;
    }

    private static Command Token()
    {
        var id = new Argument<string>("user-id");
        var hours = new Option<int>("--hours") { Description = "Validity in hours", DefaultValueFactory = _ => 24 };
        var token = new Command("token", "Issue a session token for a user.") { id, hours };
        token.SetAction(Run(async (p, client, ct) =>
        {
            var t = await client.IssueSessionTokenAsync(p.GetValue(id)!, DateTimeOffset.UtcNow.AddHours(p.GetValue(hours)), ct);
            Console.WriteLine(t.Token);
        }));
        return token;
    }

    private static Command Channels()
    {
        var channels = new Command("channels", "Create, list and delete group channels; manage members.");
        var id = new Argument<string>("channel-id");
        var name = new Option<string?>("--name") { Description = "Display name (default: the id)" };
        var members = new Option<string[]>("--member") { Description = "A member (repeatable)", AllowMultipleArgumentsPerToken = true };
        var managers = new Option<string[]>("--manager") { Description = "A manager (repeatable)", AllowMultipleArgumentsPerToken = true };

        var create = new Command("create", "Create a group channel.") { id, name, members, managers };
        create.SetAction(Run(async (p, client, ct) =>
        {
            var c = await client.CreateChannelAsync(new ChannelCreateOptions
            {
                ChannelId = p.GetValue(id)!, Name = p.GetValue(name) ?? p.GetValue(id)!,
                Members = p.GetValue(members) ?? [], Managers = p.GetValue(managers) ?? [],
            }, ct);
            // The create answer carries no member list: ask for it, and say how many the channel has.
            var joined = await client.GetMembersAsync(c.ChannelId, ct);
            PrintChannels([c with { Members = joined }]);
            AnsiConsole.MarkupLineInterpolated($"created channel [bold]{c.ChannelId}[/] with {joined.Count} members");
        }));
        channels.Subcommands.Add(create);

        channels.Subcommands.Add(ListCommand("List every group channel.",
            (client, ct) => client.GetChannelsAsync(cancellationToken: ct), PrintChannels));
        channels.Subcommands.Add(DeleteCommand("Delete a channel with its messages and files.", id,
            (client, channelId, ct) => client.DeleteChannelAsync(channelId, ct)));

        var users = new Argument<string[]>("user-ids") { Arity = ArgumentArity.OneOrMore };
        var add = new Command("add-members", "Add members to a channel.") { id, users };
        add.SetAction(Run(async (p, client, ct) =>
        {
            await client.AddMembersAsync(p.GetValue(id)!, p.GetValue(users)!, ct);
            AnsiConsole.MarkupLineInterpolated($"[green]added[/] {string.Join(", ", p.GetValue(users)!)}");
        }));
        channels.Subcommands.Add(add);

        var remove = new Command("remove-members", "Remove members from a channel.") { id, users };
        remove.SetAction(Run(async (p, client, ct) =>
        {
            await client.RemoveMembersAsync(p.GetValue(id)!, p.GetValue(users)!, ct);
            AnsiConsole.MarkupLineInterpolated($"[green]removed[/] {string.Join(", ", p.GetValue(users)!)}");
        }));
        channels.Subcommands.Add(remove);

        var user = new Argument<string>("user-id");
        var minutes = new Option<int>("--minutes") { Description = "Ban length in minutes", DefaultValueFactory = _ => 60 };
        var reason = new Option<string?>("--reason") { Description = "Why" };
        var ban = new Command("ban", "Ban a user from a channel.") { id, user, minutes, reason };
        ban.SetAction(Run(async (p, client, ct) =>
        {
            var b = await client.BanAsync(p.GetValue(id)!, p.GetValue(user)!, TimeSpan.FromMinutes(p.GetValue(minutes)),
                p.GetValue(reason), ct);
            var until = DateTimeOffset.FromUnixTimeMilliseconds(b.EndAt);
            AnsiConsole.MarkupLineInterpolated($"[yellow]banned[/] {b.User.UserId} until {until:u}");
        }));
        channels.Subcommands.Add(ban);

        var unban = new Command("unban", "Lift a ban.") { id, user };
        unban.SetAction(Run(async (p, client, ct) =>
        {
            await client.UnbanAsync(p.GetValue(id)!, p.GetValue(user)!, ct);
            AnsiConsole.MarkupLineInterpolated($"[green]unbanned[/] {p.GetValue(user)}");
        }));
        channels.Subcommands.Add(unban);
        return channels;
    }

    private static Command Messages()
    {
        var messages = new Command("messages", "Send and read messages.");
        var id = new Argument<string>("channel-id");
        var sender = new Option<string>("--as") { Description = "Sender user id", Required = true };
        var text = new Argument<string>("text");
        var send = new Command("send", "Send a text message as a user.") { id, text, sender };
        send.SetAction(Run(async (p, client, ct) =>
        {
            var m = await client.SendMessageAsync(p.GetValue(id)!, p.GetValue(sender)!, p.GetValue(text)!, cancellationToken: ct);
            AnsiConsole.MarkupLineInterpolated($"[green]sent[/] #{m.MessageId}");
        }));
        messages.Subcommands.Add(send);

        var limit = new Option<int>("--limit") { Description = "How many of the newest", DefaultValueFactory = _ => 20 };
        var list = new Command("list", "Show the newest messages of a channel.") { id, limit };
        list.SetAction(Run(async (p, client, ct) =>
        {
            var table = new Table().AddColumns("id", "time", "from", "content");
            foreach (var m in await client.GetMessagesAsync(p.GetValue(id)!, p.GetValue(limit), cancellationToken: ct))
                table.AddRow(m.MessageId.ToString(), $"{DateTimeOffset.FromUnixTimeMilliseconds(m.CreatedAt):u}",
                    Markup.Escape(m.User.Name),
                    Markup.Escape(m.Content ?? (m.File is { } f ? $"[file {f.Name}, {f.Size} bytes]" : "")));
            AnsiConsole.Write(table);
        }));
        messages.Subcommands.Add(list);
        AddMessageExtensions(messages, id);
        messages.Subcommands.Add(Search());
        return messages;
    }

    private static Command App()
    {
        var app = new Command("app", "Show, change, rotate the key of, or delete the app.");
        app.Aliases.Add("apps");
        var show = new Command("show", "Show settings.");
        show.SetAction(Run(async (p, client, ct) => PrintApp(await client.GetAppSettingsAsync(ct))));
        app.Subcommands.Add(show);

        var members = new Option<int?>("--max-members") { Description = "Members per channel" };
        var managers = new Option<int?>("--max-managers") { Description = "Managers per channel" };
        var fileSize = new Option<long?>("--max-file-size") { Description = "Largest file in bytes" };
        var metaKeys = new Option<int?>("--max-meta-keys") { Description = "Meta keys per object" };
        var tokenless = new Option<bool?>("--allow-tokenless") { Description = "Let users connect without a token" };
        var profanityMode = new Option<string?>("--profanity-mode") { Description = "off, block or mask" };
        profanityMode.AcceptOnlyFromAmong("off", "block", "mask");
        var profanityWords = new Option<string[]?>("--profanity-word")
        {
            Description = "A word for the profanity filter (repeatable; replaces the list)",
            AllowMultipleArgumentsPerToken = true
        };
        var rateLimits = new Option<string[]?>("--rate-limit")
        {
            Description = "A rate limit override NAME=COUNT per window, or NAME=default (repeatable; names: sends_per_user, "
                + "sends_per_app, writes_per_user, writes_per_app, reads_per_user, reads_per_app, tokens_per_user, tokens_per_app)",
            AllowMultipleArgumentsPerToken = true
        };
        var set = new Command("set", "Change settings.") { members, managers, fileSize, metaKeys, tokenless, profanityMode,
            profanityWords, rateLimits };
        set.SetAction(Run(async (p, client, ct) => PrintApp(await client.UpdateAppSettingsAsync(new AppSettingsUpdate
        {
            MaxMembersPerChannel = p.GetValue(members), MaxManagersPerChannel = p.GetValue(managers),
            MaxFileSize = p.GetValue(fileSize), MaxMetaKeys = p.GetValue(metaKeys), AllowTokenless = p.GetValue(tokenless),
            ProfanityMode = p.GetValue(profanityMode), ProfanityWords = p.GetValue(profanityWords),
            RateLimits = ParseRateLimits(p.GetValue(rateLimits)),
        }, ct))));
        app.Subcommands.Add(set);

        var rotate = new Command("rotate-key", "Replace the app's API key; prints the new key once. The old key stops working.");
        rotate.SetAction(Run(async (p, client, ct) =>
        {
            var key = await client.RotateApiKeyAsync(ct);
            AnsiConsole.MarkupLine("New API key (shown only now; the old one no longer works):");
            // Plain, unstyled, on its own line: easy to copy or capture in a script.
            Console.WriteLine(key);
        }));
        app.Subcommands.Add(rotate);

        var yes = new Option<bool>("--yes") { Description = "Confirm: delete the app with all its users, channels, messages and files" };
        var delete = new Command("delete", "Delete the app and everything in it (needs --yes).") { yes };
        delete.SetAction(Run(async (p, client, ct) =>
        {
            if (!p.GetValue(yes))
                throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters,
                    "deleting the app removes all its users, channels, messages and files: add --yes to confirm");
            var appId = (await client.GetAppSettingsAsync(ct)).AppId;
            await client.DeleteAppAsync(ct);
            AnsiConsole.MarkupLineInterpolated($"deleted app [bold]{appId}[/]");
        }));
        app.Subcommands.Add(delete);
        return app;
    }

    /// <summary>Wraps a command body: builds the client, turns refusals into a red line and exit code 1.</summary>
    private static Func<ParseResult, CancellationToken, Task<int>> Run(Func<ParseResult, PlatformClient, CancellationToken, Task> body) =>
        async (parse, ct) =>
        {
            var appId = parse.GetValue(AppId);
            var apiKey = parse.GetValue(ApiKey) ?? Environment.GetEnvironmentVariable("GITPLELIVE_API_KEY");
            if (string.IsNullOrEmpty(appId) || string.IsNullOrEmpty(apiKey))
            {
                AnsiConsole.MarkupLine("[red]error:[/] --app-id and --api-key (or GITPLELIVE_APP_ID / GITPLELIVE_API_KEY) are required");
                return 2;
            }
            using var client = new PlatformClient(new PlatformClientOptions { Host = parse.GetValue(Host)!, AppId = appId,
                ApiKey = apiKey });
            try
            {
                await body(parse, client, ct);
                return 0;
            }
            catch (GitpleLiveException e)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]error {e.Code} {e.Name}:[/] {e.Message}");
                return 1;
            }
        };

    /// <summary>A <c>list</c> command: walks every page, then prints the lot.</summary>
    private static Command ListCommand<T>(string description, Func<PlatformClient, CancellationToken, IAsyncEnumerable<T>> walk,
        Action<List<T>> print)
    {
        var list = new Command("list", description);
        list.SetAction(Run(async (p, client, ct) =>
        {
            var all = new List<T>();
            await foreach (var item in walk(client, ct)) all.Add(item);
            print(all);
        }));
        return list;
    }

    /// <summary>A <c>delete</c> command on the id argument: deletes, then says so.</summary>
    private static Command DeleteCommand(string description, Argument<string> id,
        Func<PlatformClient, string, CancellationToken, Task> delete)
    {
        var command = new Command("delete", description) { id };
        command.SetAction(Run(async (p, client, ct) =>
        {
            await delete(client, p.GetValue(id)!, ct);
            AnsiConsole.MarkupLineInterpolated($"[green]deleted[/] {p.GetValue(id)}");
        }));
        return command;
    }

    private static void PrintUsers(IEnumerable<PlatformUser> users)
    {
        var table = new Table().AddColumns("user id", "name", "created");
        foreach (var u in users) table.AddRow(Markup.Escape(u.UserId), Markup.Escape(u.Name),
            $"{DateTimeOffset.FromUnixTimeMilliseconds(u.CreatedAt):u}");
        AnsiConsole.Write(table);
    }

    private static void PrintChannels(IEnumerable<PlatformChannel> channels)
    {
        var table = new Table().AddColumns("channel id", "name", "members", "messages", "frozen");
        foreach (var c in channels)
            table.AddRow(Markup.Escape(c.ChannelId), Markup.Escape(c.Name), (c.Members?.Count ?? 0).ToString(),
                c.TotalMessageCount.ToString(), c.Freeze ? "yes" : "no");
        AnsiConsole.Write(table);
    }

    /// <summary><c>NAME=COUNT</c> or <c>NAME=default</c> pairs; the server checks the names and ranges.</summary>
    private static Dictionary<string, int?>? ParseRateLimits(string[]? pairs)
    {
        if (pairs is null or { Length: 0 }) return null;
        var map = new Dictionary<string, int?>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2) throw new ArgumentException($"--rate-limit '{pair}' must be NAME=COUNT or NAME=default");
            map[parts[0]] = parts[1] == "default" ? null
                : int.TryParse(parts[1], out var n) ? n
                : throw new ArgumentException($"--rate-limit '{pair}': COUNT must be a whole number or 'default'");
        }
        return map;
    }

    private static void PrintApp(AppSettings a)
    {
        var table = new Table().AddColumns("setting", "value");
        table.AddRow("app id", Markup.Escape(a.AppId));
        table.AddRow("name", Markup.Escape(a.Name));
        table.AddRow("allow tokenless", a.AllowTokenless ? "yes" : "no");
        table.AddRow("max members per channel", a.MaxMembersPerChannel.ToString());
        table.AddRow("max managers per channel", a.MaxManagersPerChannel.ToString());
        table.AddRow("max file size", a.MaxFileSize.ToString());
        table.AddRow("max meta keys", a.MaxMetaKeys.ToString());
        table.AddRow("profanity filter", Markup.Escape($"{a.ProfanityMode} ({a.ProfanityWords.Count} words)"));
        table.AddRow("rate limit overrides", a.RateLimits.Count == 0 ? "none (server defaults)"
            : Markup.Escape(string.Join(", ", a.RateLimits.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"))));
        AnsiConsole.Write(table);
    }
}
