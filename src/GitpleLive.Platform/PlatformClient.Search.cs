using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Serialization;

namespace GitpleLive.Platform;

/// <summary>One page of search results, newest first.</summary>
/// <param name="Messages">The matching messages, newest first, each with its channel id.</param>
/// <param name="Next">The cursor of the next page; null on the last.</param>
public sealed record PlatformMessageSearchPage(IReadOnlyList<PlatformMessage> Messages, string? Next);

public sealed partial class PlatformClient
{
    // ---- search -------------------------------------------------------------------------------

    /// <summary>
    /// Full-text search of messages, newest first (GET <c>/v1/search/messages</c>): a message matches when each word of
    /// <paramref name="text"/> starts one of its words, in any case. With <paramref name="userId"/>, the channels that user is a
    /// member of; without it, every channel of the app. Fails with 1001 for an empty or too long text, 1003/1004 for a missing
    /// channel or user, 1008 when the user is not a member of <paramref name="channelId"/>.
    /// </summary>
    /// <param name="text">The words (at most 256 characters, 16 words); punctuation and operators are plain separators.</param>
    /// <param name="userId">Search as this user; null for the whole app.</param>
    /// <param name="channelId">Only this channel.</param>
    /// <param name="limit">Page size, 1 to 100.</param>
    /// <param name="next">The <see cref="PlatformMessageSearchPage.Next"/> cursor of the previous page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<PlatformMessageSearchPage> SearchMessagesAsync(string text, string? userId = null, string? channelId = null, int limit = 20,
        string? next = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        var path = new StringBuilder("v1/search/messages?query=").Append(Esc(text)).Append("&limit=").Append(limit);
        if (userId is not null) path.Append("&user_id=").Append(Esc(userId));
        if (channelId is not null) path.Append("&channel_id=").Append(Esc(channelId));
        if (!string.IsNullOrEmpty(next)) path.Append("&next=").Append(Esc(next));
        return SendAsync(HttpMethod.Get, path.ToString(), null, PlatformSearchJson.Default.PlatformMessageSearchPage, cancellationToken);
    }

    /// <summary>Walks every page of a search (see <see cref="SearchMessagesAsync"/>), newest first.</summary>
    /// <param name="text">The words.</param>
    /// <param name="userId">Search as this user; null for the whole app.</param>
    /// <param name="channelId">Only this channel.</param>
    /// <param name="pageSize">Messages per request, 1 to 100.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    public async IAsyncEnumerable<PlatformMessage> SearchAllMessagesAsync(string text, string? userId = null, string? channelId = null,
        int pageSize = 100, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? next = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var page = await SearchMessagesAsync(text, userId, channelId, pageSize, next, cancellationToken).ConfigureAwait(false);
            foreach (var m in page.Messages) yield return m;
            next = page.Next;
            if (IsLastPage(next, page.Messages.Count, seen)) yield break;
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PlatformMessageSearchPage))]
internal sealed partial class PlatformSearchJson : JsonSerializerContext;
