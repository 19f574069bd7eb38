namespace GitpleLive.Server.Api;

/// <summary>Strict query-string parsing: a bad value names its parameter (400/1001).</summary>
public static class QueryArgs
{
    public static string? String(this HttpRequest r, string name, int maxLength = 1000)
    {
        var v = r.Query[name].ToString();
        if (v.Length == 0) return null;
        if (v.Length > maxLength) throw ApiException.BadRequest($"{name} must be at most {maxLength} characters");
        return v;
    }

    public static int Int(this HttpRequest r, string name, int defaultValue, int min, int max)
    {
        var v = r.Query[name].ToString();
        if (v.Length == 0) return defaultValue;
        if (!int.TryParse(v, out var n)) throw ApiException.BadRequest($"{name} must be an integer");
        if (n < min || n > max) throw ApiException.BadRequest($"{name} must be between {min} and {max}");
        return n;
    }

    /// <summary>An integer above <paramref name="max"/> is taken as max (the iOS SDK does not clamp its page size).</summary>
    public static int IntAtMost(this HttpRequest r, string name, int defaultValue, int min, int max)
    {
        var v = r.Query[name].ToString();
        if (v.Length == 0) return defaultValue;
        if (int.TryParse(v, out var n))
            return n >= min ? Math.Min(n, max) : throw ApiException.BadRequest($"{name} must be at least {min}");
        if (v.All(char.IsAsciiDigit)) return max;
        throw ApiException.BadRequest($"{name} must be an integer");
    }

    /// <param name="leadingSlash">Take <c>/N</c> as N (the iOS SDK sends <c>base_message_id=/N</c>).</param>
    public static long? Long(this HttpRequest r, string name, long min, long max, bool leadingSlash = false)
    {
        var v = r.Query[name].ToString();
        if (leadingSlash && v.StartsWith('/')) v = v[1..];
        if (v.Length == 0) return null;
        if (!long.TryParse(v, out var n)) throw ApiException.BadRequest($"{name} must be an integer");
        if (n < min || n > max) throw ApiException.BadRequest($"{name} must be between {min} and {max}");
        return n;
    }

    public static bool Bool(this HttpRequest r, string name)
    {
        var v = r.Query[name].ToString();
        return v.Length switch
        {
            0 => false,
            _ when v is "true" or "1" or "True" => true,
            _ when v is "false" or "0" or "False" => false,
            _ => throw ApiException.BadRequest($"{name} must be true or false"),
        };
    }

    public static string? OneOf(this HttpRequest r, string name, params string[] allowed)
    {
        var v = r.String(name);
        if (v is not null && !allowed.Contains(v)) throw ApiException.BadRequest($"{name} must be one of {string.Join(", ", allowed)}");
        return v;
    }
}
