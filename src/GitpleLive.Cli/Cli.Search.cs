using System.CommandLine;
using GitpleLive.Platform;
using Spectre.Console;

namespace GitpleLive.Cli;

public static partial class Cli
{
    /// <summary><c>messages search TEXT [--as USER] [--channel ID] [--limit N]</c>: full-text search, newest first.</summary>
    private static Command Search()
    {
        var text = new Argument<string>("text") { Description = "The words to look for (each matches the start of a word, any case)" };
        var asUser = new Option<string?>("--as") { Description = "Search the channels of this user only (default: the whole app)" };
        var channel = new Option<string?>("--channel") { Description = "Only this channel" };
        var limit = new Option<int>("--limit") { Description = "How many matches at most, newest first", DefaultValueFactory = _ => 20 };
        var search = new Command("search", "Search messages by their words, newest first.") { text, asUser, channel, limit };
        search.SetAction(Run(async (p, client, ct) =>
        {
            var max = Math.Max(1, p.GetValue(limit));
            var table = new Table().AddColumns("id", "channel", "time", "from", "content");
            var found = 0;
            var walk = client.SearchAllMessagesAsync(p.GetValue(text)!, p.GetValue(asUser), p.GetValue(channel), Math.Min(max, 100), ct);
            await foreach (var m in walk)
            {
                var time = DateTimeOffset.FromUnixTimeMilliseconds(m.CreatedAt);
                table.AddRow(m.MessageId.ToString(), Markup.Escape(m.ChannelId), $"{time:u}", Markup.Escape(m.User.Name),
                    Markup.Escape(m.Content ?? ""));
                if (++found == max) break;
            }
            if (found == 0) AnsiConsole.MarkupLine("[yellow]no messages found[/]");
            else AnsiConsole.Write(table);
        }));
        return search;
    }
}
