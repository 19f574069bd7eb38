using System.Net;
using System.Net.Http.Headers;

namespace GitpleLive.Server.Push;

/// <summary>
/// What the HTTP push providers (FCM, APNs, the app's webhook) do alike: a JSON POST, sent on the provider's named client,
/// 2xx as delivered and a network failure or timeout as worth a retry. Each provider keeps its own body, authentication
/// and reading of a refusal.
/// </summary>
internal static class PushHttp
{
    /// <summary>A POST of <paramref name="json"/> (UTF-8) to <paramref name="url"/>; the caller adds its headers.</summary>
    public static HttpRequestMessage JsonPost(string url, byte[] json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(json) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }

    /// <summary>
    /// Sends <paramref name="request"/> on the named client: a 2xx answer is <see cref="PushResult.Sent"/>, any other is what
    /// <paramref name="refused"/> makes of it; a failure to reach the provider (or a timeout, not the caller's own
    /// cancellation) is retried, named <c>"{provider}: …"</c>.
    /// </summary>
    public static async Task<PushResult> SendAsync(System.Net.Http.IHttpClientFactory httpClients, string clientName, string provider,
        HttpRequestMessage request, Func<HttpResponseMessage, Task<PushResult>> refused, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await httpClients.CreateClient(clientName).SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode) return PushResult.Sent;
            return await refused(response);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException
            && !cancellationToken.IsCancellationRequested)
        {
            return new(PushOutcome.Retry, $"{provider}: {e.Message}");
        }
    }

    /// <summary>Retried when <paramref name="transient"/> (408, 429, 5xx: <see cref="PushRouting.IsTransient"/>), else given up.</summary>
    public static PushResult RetryOrFail(bool transient, string error) => new(transient ? PushOutcome.Retry : PushOutcome.Failed, error);

    /// <summary>A provider's answer shortened for the delivery record.</summary>
    public static string Clip(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
