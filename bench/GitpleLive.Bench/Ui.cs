using Spectre.Console;

namespace GitpleLive.Bench;

/// <summary>Console output: plain lines between phases, a Spectre progress display during them.</summary>
public static class Ui
{
    private static readonly object Gate = new();

    public static void Heading(string text)
    {
        lock (Gate) AnsiConsole.Write(new Rule($"[bold]{Markup.Escape(text)}[/]").LeftJustified());
    }

    public static void Info(string text)
    {
        lock (Gate) AnsiConsole.MarkupLine(Markup.Escape(text));
    }

    public static void Note(string text)
    {
        lock (Gate) AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(text)}[/]");
    }

    public static void Error(string text)
    {
        lock (Gate) AnsiConsole.MarkupLine($"[red]{Markup.Escape(text)}[/]");
    }

    /// <summary>Runs <paramref name="body"/> under a progress display with elapsed time and a spinner.</summary>
    public static Task<T> ProgressAsync<T>(Func<ProgressContext, Task<T>> body) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new SpinnerColumn())
            .StartAsync(body);

    public static async Task ProgressAsync(Func<ProgressContext, Task> body) =>
        await ProgressAsync<bool>(async ctx =>
        {
            await body(ctx);
            return true;
        });

    /// <summary>Escapes text for a progress task description.</summary>
    public static string Esc(string text) => Markup.Escape(text);
}
