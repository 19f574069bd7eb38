using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using GitpleLive.Chat;
using GitpleLive.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitpleLive.Platform;

/// <summary>Settings of a <see cref="PlatformClient"/>.</summary>
public sealed record PlatformClientOptions
{
    /// <summary>
    /// The server, without scheme (<c>live.example.com</c>, <c>localhost:5080</c>): HTTPS on 443 unless
    /// it contains <c>localhost</c>, then HTTP on the given port. A full <c>http(s)://</c> URL is taken as is.
    /// </summary>
    public required string Host { get; init; }
    /// <summary>The app id (header <c>APP_ID</c>).</summary>
    public required string AppId { get; init; }
    /// <summary>The app's API key (header <c>APP_API_KEY</c>). Keep it on your servers.</summary>
    public required string ApiKey { get; init; }
    /// <summary>Timeout of each call. Default 30 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where the client logs (refused and failed calls at Warning, each call at Debug); none when null. The DI
    /// registration (<c>AddGitpleLivePlatform</c>) sets the container's.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    internal Uri BaseUri => Host.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || Host.StartsWith("https://",
        StringComparison.OrdinalIgnoreCase)
        ? new Uri(Host.TrimEnd('/') + "/")
        : ServerAddress.BaseUri(Host);
}

/// <summary>
/// The app backend's client for the Platform API (PROTOCOL §8): users and their session tokens,
/// channels, members, managers, messages, bans and app settings. Thread-safe; dispose when done.
/// Every failure is a <see cref="GitpleLiveException"/>, as in the client SDK: the server's code for a refusal
/// (for example 1004 user not found), 60901 when the server does not answer in time, 60902 when it cannot be
/// reached, 60999 for an answer that is not the protocol's.
/// </summary>
public sealed partial class PlatformClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ILogger _logger;

    /// <summary>Creates a client with its own <see cref="HttpClient"/>.</summary>
    /// <exception cref="ArgumentException">A required option is empty.</exception>
    public PlatformClient(PlatformClientOptions options) : this(options, new HttpClient(), ownsHttp: true) { }

    /// <summary>Creates a client over the given <see cref="HttpClient"/> (e.g. from IHttpClientFactory).</summary>
    public PlatformClient(PlatformClientOptions options, HttpClient http) : this(options, http, ownsHttp: false) { }

    private PlatformClient(PlatformClientOptions options, HttpClient http, bool ownsHttp)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Host);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.AppId);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ApiKey);
        _http = http;
        _ownsHttp = ownsHttp;
        _logger = options.LoggerFactory?.CreateLogger<PlatformClient>() ?? (ILogger)NullLogger.Instance;
        _http.BaseAddress = options.BaseUri;
        _http.Timeout = options.Timeout;
        _http.DefaultRequestHeaders.Add("APP_ID", options.AppId);
        _http.DefaultRequestHeaders.Add("APP_API_KEY", options.ApiKey);
    }

    // ---- users --------------------------------------------------------------------------------

    /// <summary>Creates a user. Fails with 1007 when the id is taken.</summary>
    public Task<PlatformUser> CreateUserAsync(string userId, string name, string? profileUrl = null, IReadOnlyDictionary<string,
        string>? meta = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "v1/users", Body(("user_id", userId), ("name", name), ("profile_url", profileUrl), ("meta", meta)),
            PlatformJson.Default.PlatformUser, cancellationToken);

    /// <summary>Gets a user (1004 when missing).</summary>
    public Task<PlatformUser> GetUserAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"v1/users/{Esc(userId)}", null, PlatformJson.Default.PlatformUser, cancellationToken);

    /// <summary>Walks every user of the app, oldest first.</summary>
    public async IAsyncEnumerable<PlatformUser> GetUsersAsync(int pageSize = 100,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? next = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var path = $"v1/users?limit={pageSize}" + (next is null ? "" : "&next=" + Esc(next));
            var page = await SendAsync(HttpMethod.Get, path, null, PlatformJson.Default.UserPage, cancellationToken).ConfigureAwait(false);
            foreach (var u in page.Users) yield return u;
            next = page.Next;
            if (IsLastPage(next, page.Users.Count, seen)) yield break;
        }
    }

    /// <summary>Changes a user's name, picture or meta (merged); raises <c>user_update</c>.</summary>
    public Task<PlatformUser> UpdateUserAsync(string userId, string? name = null, string? profileUrl = null, IReadOnlyDictionary<string,
        string>? meta = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"v1/users/{Esc(userId)}", Body(("name", name), ("profile_url", profileUrl), ("meta", meta)),
            PlatformJson.Default.PlatformUser, cancellationToken);

    /// <summary>Deletes a user; their clients hear <c>user_delete</c> and disconnect.</summary>
    public Task DeleteUserAsync(string userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"v1/users/{Esc(userId)}", null, cancellationToken);

    /// <summary>Issues a session token for a client SDK's <c>ConnectUser</c>.</summary>
    /// <param name="userId">The user.</param>
    /// <param name="expiresAt">When it expires; default 7 days from now.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<SessionToken> IssueSessionTokenAsync(string userId, DateTimeOffset? expiresAt = null,
        CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/users/{Esc(userId)}/token",
            Body(("expires_at", (expiresAt ?? DateTimeOffset.UtcNow.AddDays(7)).ToUnixTimeMilliseconds())),
                PlatformJson.Default.SessionToken, cancellationToken);

    // ---- channels -----------------------------------------------------------------------------

    /// <summary>Creates a group channel; every member hears <c>user_joined_channel</c>.</summary>
    public Task<PlatformChannel> CreateChannelAsync(ChannelCreateOptions options, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, "v1/group/channels", Body(("channel_id", options.ChannelId), ("name", options.Name), ("profile_url",
            options.ProfileUrl),
            ("members", options.Members), ("managers", options.Managers), ("meta", options.Meta), ("reuse", options.Reuse)),
                PlatformJson.Default.PlatformChannel, cancellationToken);

    /// <summary>Gets a channel (1003 when missing).</summary>
    public Task<PlatformChannel> GetChannelAsync(string channelId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"v1/group/channels/{Esc(channelId)}", null, PlatformJson.Default.PlatformChannel, cancellationToken);

    /// <summary>Walks every group channel (or those of <paramref name="memberId"/>), newest first, with members and managers.</summary>
    public async IAsyncEnumerable<PlatformChannel> GetChannelsAsync(string? memberId = null, int pageSize = 100,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? next = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var path = $"v1/group/channels?limit={pageSize}&show_members=true&show_managers=true"
                + (memberId is null ? "" : "&user_id=" + Esc(memberId)) + (next is null ? "" : "&next=" + Esc(next));
            var page = await SendAsync(HttpMethod.Get, path, null, PlatformJson.Default.ChannelPage,
                cancellationToken).ConfigureAwait(false);
            foreach (var c in page.Channels) yield return c;
            next = page.Next;
            if (IsLastPage(next, page.Channels.Count, seen)) yield break;
        }
    }

    /// <summary>Changes a channel's name, picture or meta (merged); raises <c>group:channel_update</c>.</summary>
    public Task<PlatformChannel> UpdateChannelAsync(string channelId, string? name = null, string? profileUrl = null,
        IReadOnlyDictionary<string, string>? meta = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"v1/group/channels/{Esc(channelId)}", Body(("name", name), ("profile_url", profileUrl), ("meta",
            meta)), PlatformJson.Default.PlatformChannel, cancellationToken);

    /// <summary>Deletes a channel with its messages and files.</summary>
    public Task DeleteChannelAsync(string channelId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"v1/group/channels/{Esc(channelId)}", null, cancellationToken);

    /// <summary>Members with their join times.</summary>
    public Task<List<PlatformUser>> GetMembersAsync(string channelId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"v1/group/channels/{Esc(channelId)}/members", null, PlatformJson.Default.ListPlatformUser,
            cancellationToken);

    /// <summary>Adds members (already-members are skipped; banned users 1019).</summary>
    public Task AddMembersAsync(string channelId, IReadOnlyList<string> userIds, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/group/channels/{Esc(channelId)}/members", Body(("members", userIds)), cancellationToken);

    /// <summary>Removes members; each hears <c>group:channel_leave</c> and loses the channel.</summary>
    public Task RemoveMembersAsync(string channelId, IReadOnlyList<string> userIds, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"v1/group/channels/{Esc(channelId)}/members", Body(("members", userIds)), cancellationToken);

    /// <summary>Makes a member a manager.</summary>
    public Task AddManagerAsync(string channelId, string userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/group/channels/{Esc(channelId)}/managers", Body(("manager", userId)), cancellationToken);

    /// <summary>Takes manager rights away (1016 when not a manager).</summary>
    public Task RemoveManagerAsync(string channelId, string userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"v1/group/channels/{Esc(channelId)}/managers", Body(("manager", userId)), cancellationToken);

    /// <summary>Freezes (only managers may send) or unfreezes a channel.</summary>
    public Task<PlatformChannel> FreezeChannelAsync(string channelId, bool freeze, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, $"v1/group/channels/{Esc(channelId)}/freeze", Body(("freeze", freeze)),
            PlatformJson.Default.PlatformChannel, cancellationToken);

    // ---- messages -----------------------------------------------------------------------------

    /// <summary>Sends a text message as <paramref name="senderId"/> (any existing user).</summary>
    public Task<PlatformMessage> SendMessageAsync(string channelId, string senderId, string content, IReadOnlyDictionary<string,
        string>? meta = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/group/channels/{Esc(channelId)}/messages", Body(("user_id", senderId), ("type", "text"),
            ("content", content), ("meta", meta)), PlatformJson.Default.PlatformMessage, cancellationToken);

    /// <summary>The <paramref name="limit"/> newest messages before <paramref name="beforeMessageId"/> (or the newest),
    /// ascending.</summary>
    public async Task<IReadOnlyList<PlatformMessage>> GetMessagesAsync(string channelId, int limit = 20, long? beforeMessageId = null,
        CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, $"v1/group/channels/{Esc(channelId)}/messages?limit={limit}" + (beforeMessageId is { } b
            ? $"&base_message_id={b}" : ""),
            null, PlatformJson.Default.MessagePage, cancellationToken).ConfigureAwait(false)).Messages;

    /// <summary>Deletes a message.</summary>
    public Task DeleteMessageAsync(string channelId, long messageId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"v1/group/channels/{Esc(channelId)}/messages/{messageId}", null, cancellationToken);

    // ---- bans ---------------------------------------------------------------------------------

    /// <summary>Bans a user from a channel for <paramref name="duration"/>.</summary>
    public Task<PlatformBan> BanAsync(string channelId, string userId, TimeSpan duration, string? reason = null,
        CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, $"v1/group/channels/{Esc(channelId)}/ban", Body(("user_id", userId), ("seconds",
            (long)Math.Ceiling(duration.TotalSeconds)), ("reason", reason)), PlatformJson.Default.PlatformBan, cancellationToken);

    /// <summary>Lifts a ban.</summary>
    public Task UnbanAsync(string channelId, string userId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, $"v1/group/channels/{Esc(channelId)}/ban/{Esc(userId)}", null, cancellationToken);

    /// <summary>Active bans of a channel.</summary>
    public Task<List<PlatformBan>> GetBannedListAsync(string channelId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, $"v1/group/channels/{Esc(channelId)}/banned_list", null, PlatformJson.Default.ListPlatformBan,
            cancellationToken);

    // ---- app ----------------------------------------------------------------------------------

    /// <summary>The app's settings and limits.</summary>
    public Task<AppSettings> GetAppSettingsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, "v1/app", null, PlatformJson.Default.AppSettings, cancellationToken);

    /// <summary>Changes the app's settings and limits.</summary>
    public Task<AppSettings> UpdateAppSettingsAsync(AppSettingsUpdate update, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, "v1/app", Body(("name", update.Name), ("allow_tokenless", update.AllowTokenless),
            ("max_members_per_channel", update.MaxMembersPerChannel),
            ("max_managers_per_channel", update.MaxManagersPerChannel), ("max_file_size", update.MaxFileSize), ("max_meta_keys",
                update.MaxMetaKeys),
            ("profanity_mode", update.ProfanityMode), ("profanity_words", update.ProfanityWords), ("rate_limits", update.RateLimits)),
            PlatformJson.Default.AppSettings,
                cancellationToken);

    /// <summary>
    /// Replaces the app's API key and returns the new one; the server shows it only in this answer. The old key stops
    /// working at once; this client switches to the new key for its later calls.
    /// </summary>
    public async Task<string> RotateApiKeyAsync(CancellationToken cancellationToken = default)
    {
        var answer = await SendAsync(HttpMethod.Post, "v1/app/api_key", null, PlatformJson.Default.ApiKeyAnswer, cancellationToken)
            .ConfigureAwait(false);
        _http.DefaultRequestHeaders.Remove("APP_API_KEY");
        _http.DefaultRequestHeaders.Add("APP_API_KEY", answer.ApiKey);
        return answer.ApiKey;
    }

    /// <summary>Deletes the app with all its users, channels, messages and files. There is no undo.</summary>
    public Task DeleteAppAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, "v1/app", null, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }

    // ---- plumbing -----------------------------------------------------------------------------

    private static string Esc(string s) => Uri.EscapeDataString(s);

    private static Dictionary<string, object?> Body(params (string Key, object? Value)[] fields) =>
        fields.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value);

    /// <summary>
    /// Whether a walk ends after this page: no cursor, an empty page, or a cursor seen before (a server
    /// answering the same <c>next</c> again would otherwise keep the walk going forever).
    /// </summary>
    private static bool IsLastPage(string? next, int count, HashSet<string> seen) =>
        string.IsNullOrEmpty(next) || count == 0 || !seen.Add(next);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, Dictionary<string, object?>? body, JsonTypeInfo<T> type,
        CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, body, cancellationToken).ConfigureAwait(false);
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
                ?? throw new GitpleLiveException(GitpleLiveErrorCode.UnknownError, $"empty answer from {method} /{path}");
        }
        catch (JsonException e)
        {
            throw new GitpleLiveException(GitpleLiveErrorCode.UnknownError, $"unreadable answer from {method} /{path}: {e.Message}", e);
        }
    }

    private async Task SendAsync(HttpMethod method, string path, Dictionary<string, object?>? body, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, body, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, Dictionary<string, object?>? body,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(body, BodyOptions);
            request.Content = new ByteArrayContent(json) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException e)
        {
            // HttpClient.Timeout ran out.
            _logger.LogWarning("{Method} /{Path}: no answer within {Timeout}", method, path, _http.Timeout);
            throw new GitpleLiveException(GitpleLiveErrorCode.ServerNotResponding, $"the server did not answer {method} /{path} in time",
                e);
        }
        catch (HttpRequestException e)
        {
            _logger.LogWarning(e, "{Method} /{Path}: the server could not be reached", method, path);
            throw new GitpleLiveException(GitpleLiveErrorCode.UnableToConnect,
                $"unable to reach the server for {method} /{path}: {e.Message}", e);
        }
        _logger.LogDebug("{Method} /{Path} answered {Status}", method, path, (int)response.StatusCode);
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            ErrorBody? error = null;
            try { error = JsonSerializer.Deserialize(text, PlatformJson.Default.ErrorBody); } catch (JsonException) { }
            var requestPath = request.RequestUri is { IsAbsoluteUri: true } u ? u.AbsolutePath : "/" + path;
            _logger.LogWarning("{Method} /{Path} refused: HTTP {Status}, code {Code}: {Message}", method, path, status, error?.Code,
                error?.Message);
            if (error?.Code is int code)
                throw new GitpleLiveException(code, error.Name, error.Message ?? GitpleLiveErrorCode.GetName(code), error.Status
                    ?? status, error.Path ?? requestPath);
            throw new GitpleLiveException(GitpleLiveErrorCode.UnknownError, null, $"HTTP {status} from {requestPath}", status, requestPath);
        }
    }

    // Request bodies hold primitives, lists and string maps; reflection-free where the source
    // generator knows the types, with reflection as the fallback for the boxed values.
    private static readonly JsonSerializerOptions BodyOptions = new(JsonSerializerDefaults.Web)
    {
        TypeInfoResolver = JsonTypeInfoResolver.Combine(PlatformJson.Default, new DefaultJsonTypeInfoResolver()),
    };
}
