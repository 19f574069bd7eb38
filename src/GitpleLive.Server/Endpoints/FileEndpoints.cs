namespace GitpleLive.Server.Endpoints;

public static class FileEndpoints
{
    /// <summary>
    /// <c>GET /v1/files/{key}/{exp}/{sig}/{type}/{name}</c>: the bytes, for a holder of a fresh signed link. Links of the
    /// earlier shape, <c>/v1/files/{key}?name&amp;type&amp;exp&amp;sig</c>, keep working until they expire.
    /// </summary>
    public static void Map(WebApplication app) =>
        app.MapGet("/v1/files/{**rest}", (HttpContext http, FileUrls urls, IFileStore files) =>
        {
            var q = http.Request.Query;
            // The undecoded target: each segment is unescaped exactly once.
            var target = http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget ?? "";
            var path = target.Split('?')[0];
            var raw = path.StartsWith("/v1/files/", StringComparison.Ordinal) ? path["/v1/files/".Length..] : "";
            (string Key, long Exp, string Sig, string Type, string Name)? link;
            if (q.ContainsKey("sig"))
                link = long.TryParse(q["exp"], out var oldExp)
                    ? (Uri.UnescapeDataString(raw), oldExp, q["sig"].ToString(), q["type"].ToString(), q["name"].ToString())
                    : null;
            else link = FileUrls.Parse(raw.Split('/').Select(Uri.UnescapeDataString).ToList());
            if (link is not { } l || !urls.Verify(l.Key, l.Name, l.Type, l.Exp, l.Sig))
                throw ApiException.Forbidden(ErrorCodes.NoPermission, "file link is invalid or expired");
            var stream = files.OpenRead(l.Key) ?? throw ApiException.NotFound(ErrorCodes.ResourceNotFound, "file not found");
            return Results.File(stream, l.Type, l.Name, enableRangeProcessing: true);
        });
}
