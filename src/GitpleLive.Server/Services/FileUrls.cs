using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace GitpleLive.Server.Services;

/// <summary>
/// Absolute file links carrying their own expiring grant in the path and ending with the file's name:
/// <c>{base}/v1/files/{key}/{exp}/{sig}/{type}/{name}</c> (type as base64url, sig an HMAC of key, name, type and exp).
/// An <c>&lt;img&gt;</c> loads them without headers, only holders of a fresh link (channel members, who get it in
/// messages) can fetch the bytes, and the mobile SDKs' <c>url.endsWith(".jpg")</c> image test works. The base is
/// <see cref="ChatServerOptions.PublicBaseUrl"/>, else the server's first bound address: never a request header, so a
/// sender cannot hand everyone links to a host of his choosing.
/// </summary>
public sealed class FileUrls(ChatServerOptions options, IServer server, FileUrlKey key, TimeProvider time)
{
    private string? _boundBase;

    public string Sign(string fileKey, string name, string type)
    {
        var exp = time.NowMs() + (long)options.FileUrlLifetime.TotalMilliseconds;
        var sig = key.Sign(fileKey, name, type, exp);
        var typeSegment = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(type));
        var keyPath = string.Join('/', fileKey.Split('/').Select(Uri.EscapeDataString));
        return $"{BaseUrl()}/v1/files/{keyPath}/{exp}/{sig}/{typeSegment}/{Uri.EscapeDataString(name)}";
    }

    public bool Verify(string fileKey, string name, string type, long exp, string sig) =>
        exp > time.NowMs()
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(key.Sign(fileKey, name, type, exp)),
            Encoding.ASCII.GetBytes(sig));

    /// <summary>Reads a link's path after <c>/v1/files/</c> (segments already unescaped); null when it has no such shape.</summary>
    public static (string Key, long Exp, string Sig, string Type, string Name)? Parse(IReadOnlyList<string> segments)
    {
        if (segments.Count < 5) return null;
        var n = segments.Count;
        if (!long.TryParse(segments[n - 4], out var exp)) return null;
        string type;
        try { type = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(segments[n - 2])); }
        catch (FormatException) { return null; }
        return (string.Join('/', segments.Take(n - 4)), exp, segments[n - 3], type, segments[n - 1]);
    }

    private string BaseUrl()
    {
        if (!string.IsNullOrEmpty(options.PublicBaseUrl)) return options.PublicBaseUrl.TrimEnd('/');
        return _boundBase ??= BoundBase();
    }

    /// <summary>The first address the server listens on, with a wildcard host shown as <c>localhost</c>.</summary>
    private string BoundBase()
    {
        var first = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (first is null) return "";
        var uri = new Uri(first.Replace("://+", "://localhost").Replace("://*", "://localhost"));
        var host = uri.Host is "0.0.0.0" or "[::]" or "::" ? "localhost" : uri.Host;
        if (uri.HostNameType == UriHostNameType.IPv6 && host != "localhost") host = "[" + host.Trim('[', ']') + "]";
        return $"{uri.Scheme}://{host}:{uri.Port}";
    }
}
