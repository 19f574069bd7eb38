using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace GitpleLive.Chat.Internal;

/// <summary>Credentials of one REST call: the user id and a bearer token (session or SDK token), or none.</summary>
internal readonly record struct Credentials(string UserId, string? Bearer);

/// <summary>
/// HTTP with the protocol's headers, JSON and error mapping: server error bodies become
/// <see cref="GitpleLiveException"/> with the server's code; a timeout is 60901, a transport failure 60902.
/// </summary>
internal sealed class RestClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _appId;
    private readonly TimeSpan _timeout;

    public RestClient(Endpoint endpoint, string appId, TimeSpan timeout, HttpMessageHandler? handler)
    {
        Endpoint = endpoint;
        _appId = appId;
        _timeout = timeout;
        // The timeout is enforced per call below so that it can be told apart from the caller's cancellation.
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }, disposeHandler: true)
            : new HttpClient(handler, disposeHandler: false);
        _http.Timeout = Timeout.InfiniteTimeSpan;
    }

    public Endpoint Endpoint { get; }

    public Task<T> GetAsync<T>(string path, Credentials credentials, JsonTypeInfo<T> result, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, Endpoint.Sdk(path), credentials, null, result, _timeout, cancellationToken);

    public Task<T> SendJsonAsync<TBody, T>(HttpMethod method, string path, Credentials credentials, TBody body,
        JsonTypeInfo<TBody> bodyType, JsonTypeInfo<T> result, CancellationToken cancellationToken) =>
        SendAsync(method, Endpoint.Sdk(path), credentials, Json(body, bodyType), result, _timeout, cancellationToken);

    public Task SendJsonAsync<TBody>(HttpMethod method, string path, Credentials credentials, TBody body, JsonTypeInfo<TBody> bodyType,
        CancellationToken cancellationToken) =>
        SendAsync<object>(method, Endpoint.Sdk(path), credentials, Json(body, bodyType), null, _timeout, cancellationToken);

    public Task SendAsync(HttpMethod method, string path, Credentials credentials, CancellationToken cancellationToken) =>
        SendAsync<object>(method, Endpoint.Sdk(path), credentials, null, null, _timeout, cancellationToken);

    public Task<T> SendContentAsync<T>(HttpMethod method, string path, Credentials credentials, HttpContent content,
        JsonTypeInfo<T> result, TimeSpan timeout, CancellationToken cancellationToken) =>
        SendAsync(method, Endpoint.Sdk(path), credentials, content, result, timeout, cancellationToken);

    /// <summary>GET /health; returns the caller's IP as the server saw it (header <c>x-forwarded-for</c>), or null.</summary>
    public async Task<string?> GetClientIpAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint.HealthUri);
        using var response = await ExecuteAsync(request, _timeout, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
        if (!response.Headers.TryGetValues("x-forwarded-for", out var values)) return null;
        var first = values.FirstOrDefault()?.Split(',')[0].Trim();
        return string.IsNullOrEmpty(first) ? null : first;
    }

    private static ByteArrayContent Json<TBody>(TBody body, JsonTypeInfo<TBody> type)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, type));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, Uri uri, Credentials credentials, HttpContent? content, JsonTypeInfo<T>? result,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        request.Headers.TryAddWithoutValidation("APP_ID", _appId);
        request.Headers.TryAddWithoutValidation("USER_ID", credentials.UserId);
        if (credentials.Bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", credentials.Bearer);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var response = await ExecuteAsync(request, timeout, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) throw await ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
        if (result is null) return default!;
        try
        {
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Deserialize(bytes, result)
                ?? throw new GitpleLiveException(GitpleLiveErrorCode.UnknownError, $"empty answer from {method} {uri.AbsolutePath}");
        }
        catch (JsonException e)
        {
            throw new GitpleLiveException(GitpleLiveErrorCode.UnknownError,
                $"unreadable answer from {method} {uri.AbsolutePath}: {e.Message}", e);
        }
    }

    private async Task<HttpResponseMessage> ExecuteAsync(HttpRequestMessage request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        try
        {
            // Read the whole answer within the timeout; bodies are small JSON documents.
            var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeoutCts.Token).ConfigureAwait(false);
            return response;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException e)
        {
            throw new GitpleLiveException(GitpleLiveErrorCode.ServerNotResponding,
                $"the server did not answer {request.Method} {request.RequestUri?.AbsolutePath} within {timeout.TotalSeconds:0.###} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new GitpleLiveException(GitpleLiveErrorCode.UnableToConnect,
                $"unable to reach the server for {request.Method} {request.RequestUri?.AbsolutePath}: {e.Message}", e);
        }
    }

    internal static async Task<GitpleLiveException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var path = response.RequestMessage?.RequestUri?.AbsolutePath;
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            text = "";
        }
        return FromErrorBody(status, path, text);
    }

    /// <summary>Maps an error answer; bodies that are not the protocol's error object become 60999 with the status.</summary>
    internal static GitpleLiveException FromErrorBody(int status, string? requestPath, string body)
    {
        ErrorBody? error = null;
        if (!string.IsNullOrWhiteSpace(body))
        {
            try { error = JsonSerializer.Deserialize(body, ChatJsonContext.Default.ErrorBody); }
            catch (JsonException) { }
        }
        if (error?.Code is int code)
            return new GitpleLiveException(code, error.Name, error.Message ?? GitpleLiveErrorCode.GetName(code), error.Status ?? status,
                error.Path ?? requestPath);
        var snippet = body.Length > 200 ? body[..200] + "…" : body;
        return new GitpleLiveException(GitpleLiveErrorCode.UnknownError, null,
            $"HTTP {status} from {requestPath}" + (snippet.Length > 0 ? ": " + snippet : ""), status, requestPath);
    }

    /// <summary>Builds a query string from the non-null pairs.</summary>
    internal static string Query(string path, params (string Name, string? Value)[] pairs)
    {
        var sb = new StringBuilder(path);
        var first = !path.Contains('?');
        foreach (var (name, value) in pairs)
        {
            if (value is null) continue;
            sb.Append(first ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            first = false;
        }
        return sb.ToString();
    }

    internal static string Segment(string value) => Uri.EscapeDataString(value);

    public void Dispose() => _http.Dispose();
}
