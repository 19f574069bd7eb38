using System.Security.Cryptography;
using System.Text;
using GitpleLive.Server.Hosting;

namespace GitpleLive.Server.Services;

/// <summary>
/// Absolute file links carrying their own expiring grant: <c>/v1/files/{key}?name&amp;type&amp;exp&amp;sig</c>
/// with an HMAC of the rest, so an <c>&lt;img&gt;</c> loads them without headers and only holders of a
/// fresh link (channel members, who get it in messages) can fetch the bytes.
/// </summary>
public sealed class FileUrls(ChatServerOptions options, IHttpContextAccessor http, FileUrlKey key, TimeProvider time)
{
    public string Sign(string fileKey, string name, string type)
    {
        var exp = time.NowMs() + (long)options.FileUrlLifetime.TotalMilliseconds;
        var sig = key.Sign(fileKey, name, type, exp);
        return $"{BaseUrl()}/v1/files/{fileKey}?name={Uri.EscapeDataString(name)}&type={Uri.EscapeDataString(type)}&exp={exp}&sig={sig}";
    }

    public bool Verify(string fileKey, string name, string type, long exp, string sig) =>
        exp > time.NowMs()
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(key.Sign(fileKey, name, type, exp)),
            Encoding.ASCII.GetBytes(sig));

    private string BaseUrl()
    {
        if (!string.IsNullOrEmpty(options.PublicBaseUrl)) return options.PublicBaseUrl.TrimEnd('/');
        var request = http.HttpContext?.Request;
        return request is null ? "" : $"{request.Scheme}://{request.Host}";
    }
}
