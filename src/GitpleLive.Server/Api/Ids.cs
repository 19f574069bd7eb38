using System.Text.RegularExpressions;

namespace GitpleLive.Server.Api;

/// <summary>
/// Ids (users, channels) are 1–128 characters of ASCII letters, digits and <c>_ - . @</c>. They
/// end up in MQTT topic names and in <c>::</c>-separated client ids, so <c>/ + # :</c> and spaces
/// are refused. They are also URL path segments, so <c>.</c> and <c>..</c> (which clients and
/// servers collapse as dot segments, making the resource unreachable) are refused too.
/// </summary>
public static partial class Ids
{
    public const string Allowed = "1-128 characters of A-Z a-z 0-9 _ - . @, not '.' or '..'";

    [GeneratedRegex("^[A-Za-z0-9_.@-]{1,128}$")]
    private static partial Regex Pattern();

    public static bool IsValid(string? id) => id is not null and not "." and not ".." && Pattern().IsMatch(id);

    public static string Check(string field, string id) =>
        IsValid(id) ? id : throw ApiException.BadRequest($"{field} '{Truncate(id)}' is not a valid id ({Allowed})");

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
