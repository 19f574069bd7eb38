using System.Globalization;
using System.Text;

namespace GitpleLive.Server.Services;

/// <summary>
/// A search text turned into words, the only thing that reaches the full-text index: user input never becomes index
/// query syntax. A word is a run of letters, digits, marks and private-use characters (Unicode L*, N*, M*, Co — what
/// SQLite's <c>unicode61</c> tokenizer keeps; it drops the marks with <c>remove_diacritics</c>); everything else (spaces,
/// punctuation, quotes, <c>*</c>, <c>NEAR(</c>'s parenthesis, emoji and other symbols) separates words. A message matches
/// when it holds every word, in any case (AND); the last word may also be the beginning of a word ("release no" finds
/// "Release notes"), as a user types. A text with no word at all matches nothing.
/// Only the last word is a prefix because a prefix costs the index a merge of every word it starts (measured on
/// 1,000,000 messages: "lorem" alone 0.3 ms, "lorem*" 125–180 ms), while whole words are read newest first and stop
/// at the page's end.
/// </summary>
public sealed class SearchTerms
{
    /// <summary>Most words one search may have (each is one index lookup).</summary>
    public const int MaxWords = 16;

    /// <summary>Longest word kept; longer ones are cut (no stored word of a chat message is longer in practice).</summary>
    public const int MaxWordLength = 64;

    private SearchTerms(IReadOnlyList<string> words) => Words = words;

    /// <summary>The words, in the order given, each at most <see cref="MaxWordLength"/> characters, without repeats.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>No word: the search matches nothing.</summary>
    public bool IsEmpty => Words.Count == 0;

    /// <summary>Splits <paramref name="text"/> into words; more than <see cref="MaxWords"/> is 400/1001 naming
    /// <paramref name="field"/>.</summary>
    public static SearchTerms Parse(string field, string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var hasBase = false;
        void Flush()
        {
            // Marks alone are no word: the tokenizer would drop them all.
            if (!hasBase) { word.Clear(); return; }
            hasBase = false;
            var w = word.Length > MaxWordLength ? word.ToString(0, MaxWordLength) : word.ToString();
            // A cut that split a surrogate pair would leave half a character.
            if (char.IsHighSurrogate(w[^1])) w = w[..^1];
            word.Clear();
            if (words.Contains(w, StringComparer.OrdinalIgnoreCase)) return;
            if (words.Count == MaxWords) throw ApiException.BadRequest($"{field} must have at most {MaxWords} words");
            words.Add(w);
        }
        foreach (var rune in text.EnumerateRunes())
        {
            var kind = Kind(rune);
            if (kind == RuneKind.Separator) { Flush(); continue; }
            word.Append(rune.ToString());
            hasBase |= kind == RuneKind.Base;
        }
        Flush();
        return new SearchTerms(words);
    }

    private enum RuneKind { Separator, Base, Mark }

    private static RuneKind Kind(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => RuneKind.Base,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => RuneKind.Base,
        UnicodeCategory.PrivateUse => RuneKind.Base,
        // Marks belong to their letter (a decomposed accent); the tokenizer drops them with the accent.
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => RuneKind.Mark,
        _ => RuneKind.Separator,
    };

    /// <summary>
    /// The SQLite FTS5 MATCH expression: each word as a quoted string, the last one a prefix (<c>"word" "wo"*</c>), joined by
    /// spaces (AND). Words
    /// hold letters and digits only, so no quote can appear inside; the quoting is a second guard.
    /// </summary>
    public string ToFts5Match() =>
        string.Join(' ', Words.Select((w, i) => "\"" + w.Replace("\"", "\"\"") + (i == Words.Count - 1 ? "\"*" : "\"")));

    /// <summary>
    /// The PostgreSQL <c>to_tsquery</c> text: each word a quoted lexeme, the last one a prefix (<c>'word' &amp; 'wo':*</c>).
    /// Words hold letters and digits only, so no tsquery operator or quote can appear inside.
    /// </summary>
    public string ToTsQuery() =>
        string.Join(" & ", Words.Select((w, i) => "'" + w.Replace("'", "''") + (i == Words.Count - 1 ? "':*" : "'")));
}
