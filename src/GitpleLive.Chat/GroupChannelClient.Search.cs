using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Serialization;
using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat;

public sealed partial class GroupChannelClient
{
    // ------------------------------------------------------------------ search

    /// <summary>
    /// Searches the messages of the channels the connected user is a member of, newest first (GET <c>/search/messages</c>, a
    /// server extension: full-text, word prefixes, any case).
    /// </summary>
    /// <param name="query">The words, an optional channel, the page size and the cursor of the previous page.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page and the cursor of the next one.</returns>
    /// <exception cref="GitpleLiveException">60101 (no text), 60904, or a server code such as 1001 or 1008.</exception>
    public Task<MessageSearchPage> SearchMessagesAsync(MessageSearchQuery query, CancellationToken cancellationToken = default) =>
        _core.Rest.GetAsync(SearchPath(query), _core.RequireCredentials(), SearchJsonContext.Default.MessageSearchPage,
            cancellationToken);

    /// <summary>Walks every page of a search, newest first, following the <c>next</c> cursor.</summary>
    /// <param name="query">The words, an optional channel and the page size; its <see cref="MessageSearchQuery.Next"/> is where the
    /// walk starts.</param>
    /// <param name="cancellationToken">Cancels the walk.</param>
    /// <returns>The matching messages.</returns>
    public async IAsyncEnumerable<Message> SearchAllMessagesAsync(MessageSearchQuery query,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var page = await SearchMessagesAsync(query, cancellationToken).ConfigureAwait(false);
            foreach (var message in page.Messages) yield return message;
            // A cursor seen before would loop forever; stop instead.
            if (string.IsNullOrEmpty(page.Next) || page.Messages.Count == 0 || !seen.Add(page.Next)) yield break;
            query = query with { Next = page.Next };
        }
    }

    internal static string SearchPath(MessageSearchQuery query)
    {
        Argument.NotNull(query, nameof(query));
        return RestClient.Query("search/messages",
            ("query", Argument.Required(query.Text, "search text")),
            ("channel_id", query.ChannelId is null ? null : Argument.ChannelId(query.ChannelId)),
            ("limit", query.Limit?.ToString(CultureInfo.InvariantCulture)),
            ("next", NullIfEmpty(query.Next)));
    }
}

/// <summary>The search answer's JSON, with the same conventions as <see cref="ChatJsonContext"/>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(MessageSearchPage))]
internal sealed partial class SearchJsonContext : JsonSerializerContext;
