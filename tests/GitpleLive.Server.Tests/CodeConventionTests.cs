using System.Text.RegularExpressions;

namespace GitpleLive.Server.Tests;

/// <summary>
/// The conventions the compiler cannot check (naming is enforced by the build through .editorconfig):
/// short lines and one name for cancellation tokens on non-private members, in every source file under src/, samples/ and bench/.
/// </summary>
public sealed partial class CodeConventionTests
{
    private const int MaxLineLength = 140;

    [Fact]
    public void No_source_line_is_longer_than_140_characters()
    {
        var longLines = SourceFiles()
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, line.Length)))
            .Where(x => x.Length > MaxLineLength)
            .Select(x => $"{Relative(x.File)}:{x.Line} ({x.Length})")
            .ToList();
        Assert.True(longLines.Count == 0, "lines over 140 characters:\n" + string.Join('\n', longLines));
    }

    [Fact]
    public void Non_private_members_name_their_cancellation_token_cancellationToken()
    {
        var offenders = SourceFiles()
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(x => NonPrivateSignature().IsMatch(x.Text) && OtherTokenName().IsMatch(x.Text))
            .Select(x => $"{Relative(x.File)}:{x.Line}: {x.Text.Trim()}")
            .ToList();
        Assert.True(offenders.Count == 0, "cancellation tokens not named cancellationToken:\n" + string.Join('\n', offenders));
    }

    [Fact]
    public void The_scan_sees_the_sources()
    {
        // Guards the two tests above against passing on an empty file list.
        Assert.Contains(SourceFiles(), f => f.EndsWith(Path.Combine("Services", "MessageService.cs"), StringComparison.Ordinal));
        Assert.Contains(SourceFiles(), f => f.EndsWith(Path.Combine("Internal", "ChatCore.cs"), StringComparison.Ordinal));
        Assert.Contains(SourceFiles(), f => f.EndsWith(Path.Combine("Report", "ReportWriter.cs"), StringComparison.Ordinal));
    }

    private static string Root { get; } = FindRoot();

    private static IEnumerable<string> SourceFiles() =>
        new[] { "src", "samples", "bench" }
            .Select(d => Path.Combine(Root, d))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string Relative(string file) => Path.GetRelativePath(Root, file);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "GitpleLive.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("GitpleLive.slnx not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^\s*(public|internal|protected)\b[^=]*\(")]
    private static partial Regex NonPrivateSignature();

    [GeneratedRegex(@"\bCancellationToken\s+(?!cancellationToken\b)\w+")]
    private static partial Regex OtherTokenName();
}
