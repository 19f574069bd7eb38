using System.CommandLine;
using GitpleLive.Platform;
using Spectre.Console;

namespace GitpleLive.Cli;

// `messages reply|edit|react|replies`: the message extensions (threads, mentions, edits, reactions).
public static partial class Cli
{
    private static void AddMessageExtensions(Command messages, Argument<string> id)
    {
        var messageId = new Argument<long>("message-id");
        var text = new Argument<string>("text");
        var sender = new Option<string>("--as") { Description = "The user to act as", Required = true };
        var mention = new Option<string[]>("--mention")
        {
            Description = "A member to mention (repeatable)", AllowMultipleArgumentsPerToken = true,
        };

        var reply = new Command("reply", "Reply to a message (start or continue its thread) as a user.")
        {
            id, messageId, text, sender, mention,
        };
        reply.SetAction(Run(async (p, client, ct) =>
        {
            var m = await client.SendTextMessageAsync(p.GetValue(id)!, p.GetValue(sender)!, p.GetValue(text)!, new PlatformSendOptions
            {
                ParentMessageId = p.GetValue(messageId),
                MentionedUserIds = p.GetValue(mention) is { Length: > 0 } ids ? ids : null,
            }, ct);
            AnsiConsole.MarkupLineInterpolated($"[green]sent[/] #{m.MessageId} in the thread of #{m.ParentMessageId}");
        }));
        messages.Subcommands.Add(reply);

        var edit = new Command("edit", "Replace a text message's content (any sender's).") { id, messageId, text };
        edit.SetAction(Run(async (p, client, ct) =>
        {
            var m = await client.UpdateMessageAsync(p.GetValue(id)!, p.GetValue(messageId), p.GetValue(text)!, ct);
            AnsiConsole.MarkupLineInterpolated($"[green]edited[/] #{m.MessageId}");
        }));
        messages.Subcommands.Add(edit);

        var key = new Argument<string>("key") { Description = "An emoji or a short name (at most 32 characters)" };
        var remove = new Option<bool>("--remove") { Description = "Take the reaction away instead" };
        var react = new Command("react", "Add (or with --remove, take away) a member's reaction.") { id, messageId, key, sender, remove };
        react.SetAction(Run(async (p, client, ct) =>
        {
            var (channel, message, user, k) = (p.GetValue(id)!, p.GetValue(messageId), p.GetValue(sender)!, p.GetValue(key)!);
            var m = p.GetValue(remove)
                ? await client.RemoveReactionAsync(channel, message, user, k, ct)
                : await client.AddReactionAsync(channel, message, user, k, ct);
            var summary = m.Reactions is { Count: > 0 } rs ? string.Join("  ", rs.Select(r => $"{r.Key} {r.Count}")) : "no reactions";
            AnsiConsole.MarkupLineInterpolated($"[green]#{m.MessageId}[/] {summary}");
        }));
        messages.Subcommands.Add(react);

        var limit = new Option<int>("--limit") { Description = "How many of the newest", DefaultValueFactory = _ => 20 };
        var replies = new Command("replies", "Show the newest replies of a thread.") { id, messageId, limit };
        replies.SetAction(Run(async (p, client, ct) =>
        {
            var table = new Table().AddColumns("id", "time", "from", "content");
            var page = await client.GetRepliesAsync(p.GetValue(id)!, p.GetValue(messageId), p.GetValue(limit), cancellationToken: ct);
            foreach (var m in page)
                table.AddRow(m.MessageId.ToString(), $"{DateTimeOffset.FromUnixTimeMilliseconds(m.CreatedAt):u}",
                    Markup.Escape(m.User.Name), Markup.Escape(m.Content ?? (m.File is { } f ? $"[file {f.Name}]" : "")));
            AnsiConsole.Write(table);
        }));
        messages.Subcommands.Add(replies);
    }
}
