using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace GitpleLive.Server.Services;

/// <summary>
/// The per-app profanity filter (PROTOCOL §3 <c>filter</c>, §7 1020): whole words from the app's list,
/// any case. <c>block</c> refuses the message; <c>mask</c> stores it with the words starred and keeps
/// the original in <c>filter.origin_content</c>.
/// </summary>
public sealed class ProfanityFilter
{
    public static readonly string[] Modes = ["off", "block", "mask"];
    public const int MaxWords = 1000;

    // One compiled pattern per distinct word list; lists change rarely.
    private readonly ConcurrentDictionary<string, Regex> _patterns = new();

    /// <summary>The content to store and the original when it was masked; throws 1020 in block mode.</summary>
    public (string Content, string? Origin) Apply(AppRow app, string content)
    {
        if (app.ProfanityMode == "off" || string.IsNullOrWhiteSpace(app.ProfanityWords)) return (content, null);
        var pattern = _patterns.GetOrAdd(app.ProfanityWords, Build);
        if (!pattern.IsMatch(content)) return (content, null);
        if (app.ProfanityMode == "block") throw ApiException.Invalid(ErrorCodes.Profanity,
            "content contains words this app does not allow");
        return (pattern.Replace(content, m => new string('*', m.Length)), content);
    }

    private static Regex Build(string words)
    {
        var alternatives = words.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Regex.Escape);
        return new Regex($@"(?<![\p{{L}}\p{{N}}])(?:{string.Join('|', alternatives)})(?![\p{{L}}\p{{N}}])",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromMilliseconds(100));
    }
}
