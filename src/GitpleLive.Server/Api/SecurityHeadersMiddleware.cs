using Microsoft.Net.Http.Headers;

namespace GitpleLive.Server.Api;

/// <summary>
/// Headers every answer carries: <c>X-Content-Type-Options: nosniff</c>, so a browser never guesses a type other
/// than the one stated. Uploaded files (<c>/v1/files/…</c>) of a type a browser would run as a page (HTML, SVG,
/// XML, scripts) are always attachments and sandboxed, whatever their name, so a link cannot script our origin.
/// Runs outermost; the error handler, which clears the headers of a failed answer, sets <c>nosniff</c> again.
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    private static readonly string[] ActiveTypes =
        ["text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml", "text/javascript",
         "application/javascript", "application/ecmascript", "text/ecmascript", "text/xsl", "application/x-shockwave-flash"];

    public Task InvokeAsync(HttpContext context)
    {
        var response = context.Response;
        // Set now (the error handler sets it again after clearing the headers); a callback only where the answer's type
        // decides, since one per request was measurable on the send path.
        response.Headers.XContentTypeOptions = "nosniff";
        if (context.Request.Path.StartsWithSegments("/v1/files", StringComparison.Ordinal))
            response.OnStarting(() =>
            {
                response.Headers.XContentTypeOptions = "nosniff";
                if (response.StatusCode is StatusCodes.Status200OK or StatusCodes.Status206PartialContent) MakeSafe(response);
                return Task.CompletedTask;
            });
        return next(context);
    }

    private static void MakeSafe(HttpResponse response)
    {
        if (!IsActive(response.ContentType)) return;
        var current = response.Headers.ContentDisposition.ToString();
        if (!ContentDispositionHeaderValue.TryParse(current, out var disposition))
            disposition = new ContentDispositionHeaderValue("attachment");
        disposition.DispositionType = "attachment";
        response.Headers.ContentDisposition = disposition.ToString();
        response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'";
    }

    internal static bool IsActive(string? contentType)
    {
        // No stated type: a browser would guess, so it is treated as active.
        if (string.IsNullOrWhiteSpace(contentType)) return true;
        var media = contentType.Split(';', 2)[0].Trim();
        return ActiveTypes.Any(t => string.Equals(t, media, StringComparison.OrdinalIgnoreCase))
            || media.EndsWith("+xml", StringComparison.OrdinalIgnoreCase);
    }
}
