using System.CommandLine;
using GitpleLive.Platform;
using Spectre.Console;

namespace GitpleLive.Cli;

public static partial class Cli
{
    /// <summary><c>gitplelive open …</c>: open channels (public, without members) through the Platform API.</summary>
    private static Command Open()
    {
        var open = new Command("open", "Create, list and delete open channels; see participants; send; freeze; ban.");
        var id = new Argument<string>("channel-id");
        var name = new Option<string?>("--name") { Description = "Display name (default: the id)" };
        var managers = new Option<string[]>("--manager") { Description = "A manager (repeatable)", AllowMultipleArgumentsPerToken = true };

        var create = new Command("create", "Create an open channel.") { id, name, managers };
        create.SetAction(Run(async (p, client, ct) =>
        {
            var c = await client.CreateOpenChannelAsync(p.GetValue(id)!, p.GetValue(name) ?? p.GetValue(id)!, p.GetValue(managers) ?? [],
                cancellationToken: ct);
            AnsiConsole.MarkupLineInterpolated($"created open channel [bold]{c.ChannelId}[/]");
        }));
        open.Subcommands.Add(create);

        open.Subcommands.Add(ListCommand("List every open channel.", (client, ct) => client.GetOpenChannelsAsync(cancellationToken: ct),
            PrintOpenChannels));
        open.Subcommands.Add(DeleteCommand("Delete an open channel with its messages.", id,
            (client, channelId, ct) => client.DeleteOpenChannelAsync(channelId, ct)));

        var participants = new Command("participants", "List who is in an open channel now.") { id };
        participants.SetAction(Run(async (p, client, ct) =>
        {
            var table = new Table().AddColumns("user id", "name");
            var count = 0;
            await foreach (var u in client.GetParticipantsAsync(p.GetValue(id)!, cancellationToken: ct))
            {
                table.AddRow(Markup.Escape(u.UserId), Markup.Escape(u.Name));
                count++;
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"{count} participants");
        }));
        open.Subcommands.Add(participants);

        var sender = new Option<string>("--as") { Description = "Sender user id", Required = true };
        var text = new Argument<string>("text");
        var send = new Command("send", "Send a text message to an open channel as a user.") { id, text, sender };
        send.SetAction(Run(async (p, client, ct) =>
        {
            var m = await client.SendOpenMessageAsync(p.GetValue(id)!, p.GetValue(sender)!, p.GetValue(text)!, cancellationToken: ct);
            AnsiConsole.MarkupLineInterpolated($"[green]sent[/] #{m.MessageId}");
        }));
        open.Subcommands.Add(send);

        foreach (var (verb, freeze) in new[] { ("freeze", true), ("unfreeze", false) })
        {
            var command = new Command(verb, freeze ? "Freeze an open channel (only managers send)." : "Unfreeze an open channel.") { id };
            command.SetAction(Run(async (p, client, ct) =>
            {
                await client.FreezeOpenChannelAsync(p.GetValue(id)!, freeze, ct);
                AnsiConsole.MarkupLineInterpolated($"[yellow]{verb}d[/] {p.GetValue(id)}");
            }));
            open.Subcommands.Add(command);
        }

        var user = new Argument<string>("user-id");
        var minutes = new Option<int>("--minutes") { Description = "Ban length in minutes", DefaultValueFactory = _ => 60 };
        var reason = new Option<string?>("--reason") { Description = "Why" };
        var ban = new Command("ban", "Ban a user from an open channel (they are out at once).") { id, user, minutes, reason };
        ban.SetAction(Run(async (p, client, ct) =>
        {
            var b = await client.BanFromOpenChannelAsync(p.GetValue(id)!, p.GetValue(user)!, TimeSpan.FromMinutes(p.GetValue(minutes)),
                p.GetValue(reason), ct);
            var until = DateTimeOffset.FromUnixTimeMilliseconds(b.EndAt);
            AnsiConsole.MarkupLineInterpolated($"[yellow]banned[/] {b.User.UserId} until {until:u}");
        }));
        open.Subcommands.Add(ban);

        var unban = new Command("unban", "Lift a ban in an open channel.") { id, user };
        unban.SetAction(Run(async (p, client, ct) =>
        {
            await client.UnbanFromOpenChannelAsync(p.GetValue(id)!, p.GetValue(user)!, ct);
            AnsiConsole.MarkupLineInterpolated($"[green]unbanned[/] {p.GetValue(user)}");
        }));
        open.Subcommands.Add(unban);
        return open;
    }

    private static void PrintOpenChannels(IEnumerable<PlatformOpenChannel> channels)
    {
        var table = new Table().AddColumns("id", "name", "participants", "messages", "frozen");
        foreach (var c in channels)
            table.AddRow(Markup.Escape(c.ChannelId), Markup.Escape(c.Name), (c.ParticipantCount ?? 0).ToString(),
                c.TotalMessageCount.ToString(), c.Freeze ? "yes" : "");
        AnsiConsole.Write(table);
    }
}
