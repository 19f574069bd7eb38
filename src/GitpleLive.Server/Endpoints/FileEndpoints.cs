using GitpleLive.Server.Api;
using GitpleLive.Server.Services;

namespace GitpleLive.Server.Endpoints;

public static class FileEndpoints
{
    /// <summary><c>GET /v1/files/{key}?name&amp;type&amp;exp&amp;sig</c>: the bytes, for a holder of a fresh signed link.</summary>
    public static void Map(WebApplication app) =>
        app.MapGet("/v1/files/{**key}", (HttpContext http, string key, FileUrls urls, IFileStore files) =>
        {
            var name = http.Request.Query["name"].ToString();
            var type = http.Request.Query["type"].ToString();
            var sig = http.Request.Query["sig"].ToString();
            if (!long.TryParse(http.Request.Query["exp"], out var exp) || !urls.Verify(key, name, type, exp, sig))
                throw ApiException.Forbidden(ErrorCodes.NoPermission, "file link is invalid or expired");
            var stream = files.OpenRead(key) ?? throw ApiException.NotFound(ErrorCodes.ResourceNotFound, "file not found");
            return Results.File(stream, type, name, enableRangeProcessing: true);
        });
}
