using System.Reflection;
using System.Security.Cryptography;

namespace GitpleLive.Server.OperatorConsole;

/// <summary>
/// The console's files (<c>Console/assets</c>), embedded in the server assembly and held in memory: a handful of small
/// files need no file provider. <c>index.html</c> names the script and stylesheet with their content hash
/// (<c>?v=…</c>), so those are cached for a year and the page itself is revalidated (ETag) on every load.
/// </summary>
public sealed class ConsoleAssets
{
    private const string Prefix = "console/assets/";

    public sealed record Asset(byte[] Content, string ContentType, string ETag, bool Immutable);

    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    public ConsoleAssets()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var raw = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            raw[name[Prefix.Length..]] = memory.ToArray();
        }
        var index = System.Text.Encoding.UTF8.GetString(raw.GetValueOrDefault("index.html") ?? []);
        foreach (var (file, bytes) in raw)
        {
            if (file == "index.html") continue;
            _assets[file] = Make(bytes, file, immutable: true);
            var version = _assets[file].ETag.Trim('"')[..12];
            index = index.Replace($"/console/assets/{file}\"", $"/console/assets/{file}?v={version}\"", StringComparison.Ordinal);
        }
        _assets["index.html"] = Make(System.Text.Encoding.UTF8.GetBytes(index), "index.html", immutable: false);
    }

    private static Asset Make(byte[] bytes, string file, bool immutable) => new(bytes, TypeOf(file),
        "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..20] + "\"", immutable);

    private static string TypeOf(string file) => Path.GetExtension(file) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };

    public Asset? Find(string file) => _assets.GetValueOrDefault(file);

    /// <summary>Answers one file with its caching headers (304 when the browser's copy is current).</summary>
    public IResult Serve(HttpContext http, string file)
    {
        if (Find(file) is not { } asset)
            throw ApiException.NotFound(ErrorCodes.ResourceNotFound, $"no console file '{file}'");
        var headers = http.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = asset.Immutable ? "public, max-age=31536000, immutable" : "no-cache";
        if (http.Request.Headers.IfNoneMatch == asset.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Content, asset.ContentType);
    }
}
