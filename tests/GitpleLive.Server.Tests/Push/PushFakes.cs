using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitpleLive.Server.Webhooks;
using GitpleLive.TestHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace GitpleLive.Server.Tests.Push;

/// <summary>One request a fake provider took: its path, headers, body and HTTP version.</summary>
public sealed record FakeRequest(string Path, IReadOnlyDictionary<string, string> Headers, string Body, string Protocol)
{
    public JsonNode Json => JsonNode.Parse(Body)!;
}

/// <summary>
/// A push provider's endpoint on 127.0.0.1 (Kestrel, a free port): records what it is sent and answers as a test tells it —
/// fine, an outage for the next N requests, a dead token, or no answer at all. HTTP/1.1 and HTTP/2 in clear text, or
/// HTTP/2 only over TLS with a self-signed certificate (the APNs fake).
/// </summary>
public sealed class FakeProvider : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeRequest> _accepted = new();
    private readonly ConcurrentQueue<FakeRequest> _all = new();
    private readonly SemaphoreSlim _signal = new(0);
    private int _failNext;

    /// <summary>The answer for a request: null = the normal one (200 and <see cref="OkBody"/>).</summary>
    public Func<FakeRequest, (int Status, string Body)?>? Answer { get; set; }
    public string OkBody { get; set; } = "{}";
    /// <summary>While true, requests are held unanswered (a provider that hangs).</summary>
    public bool Hang { get; set; }
    public int Port { get; }
    public X509Certificate2? Certificate { get; }
    public string BaseUrl => $"{(Certificate is null ? "http" : "https")}://127.0.0.1:{Port}";

    /// <summary>Requests answered with 2xx, in arrival order.</summary>
    public IReadOnlyList<FakeRequest> Accepted => _accepted.ToArray();
    /// <summary>Every request that arrived, whatever it was answered.</summary>
    public IReadOnlyList<FakeRequest> All => _all.ToArray();

    /// <summary>The next <paramref name="count"/> requests get a 503.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failNext, count);

    private FakeProvider(bool tls, int port)
    {
        Port = port == 0 ? LocalMachine.FreePort() : port;
        if (tls) Certificate = SelfSigned();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port, o =>
        {
            if (Certificate is null) o.Protocols = HttpProtocols.Http1AndHttp2;
            else
            {
                o.Protocols = HttpProtocols.Http2;
                o.UseHttps(Certificate);
            }
        }));
        _app = builder.Build();
        _app.Run(HandleAsync);
    }

    public static async Task<FakeProvider> StartAsync(bool tls = false, int port = 0)
    {
        var fake = new FakeProvider(tls, port);
        await fake._app.StartAsync();
        return fake;
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = http.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var request = new FakeRequest(http.Request.Path.Value ?? "", headers, body, http.Request.Protocol);
        _all.Enqueue(request);
        if (Hang)
        {
            try { await Task.Delay(Timeout.Infinite, http.RequestAborted); } catch (OperationCanceledException) { }
            return;
        }
        (int Status, string Body) answer;
        if (Interlocked.Decrement(ref _failNext) >= 0) answer = (503, """{"error":"unavailable"}""");
        else answer = Answer?.Invoke(request) ?? (200, OkBody);
        if (answer.Status is >= 200 and < 300) _accepted.Enqueue(request);
        _signal.Release();
        http.Response.StatusCode = answer.Status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(answer.Body);
    }

    /// <summary>Waits until at least <paramref name="count"/> requests matching <paramref name="match"/> were accepted.</summary>
    public async Task<List<FakeRequest>> WaitForAsync(int count, Func<FakeRequest, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var found = Accepted.Where(r => match?.Invoke(r) ?? true).ToList();
            if (found.Count >= count) return found;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{found.Count} of {count} requests arrived at {BaseUrl} (all: {All.Count})");
            await _signal.WaitAsync(TimeSpan.FromMilliseconds(100));
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Certificate?.Dispose();
    }
}

/// <summary>Provider credentials made up for a test: a service account key and an APNs .p8 key.</summary>
public static class FakeKeys
{
    public static readonly RSA ServiceAccountKey = RSA.Create(2048);
    public static readonly ECDsa ApnsKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>A service account key whose token endpoint is the fake's <c>/token</c>.</summary>
    public static string ServiceAccountJson(string tokenUri, string projectId = "test-project") => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account",
        ["project_id"] = projectId,
        ["private_key_id"] = "k1",
        ["private_key"] = ServiceAccountKey.ExportPkcs8PrivateKeyPem(),
        ["client_email"] = "push@test-project.iam.gserviceaccount.com",
        ["client_id"] = "1",
        ["token_uri"] = tokenUri,
    });

    public static string P8Pem => ApnsKey.ExportPkcs8PrivateKeyPem();

    /// <summary>Whether <paramref name="jwt"/> is an ES256 token of <paramref name="keyId"/>/<paramref name="teamId"/> signed by <see cref="ApnsKey"/>.</summary>
    public static bool IsApnsJwt(string jwt, string keyId, string teamId)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3) return false;
        var header = JsonNode.Parse(Base64Url(parts[0]))!;
        var claims = JsonNode.Parse(Base64Url(parts[1]))!;
        return header["alg"]!.GetValue<string>() == "ES256" && header["kid"]!.GetValue<string>() == keyId
            && claims["iss"]!.GetValue<string>() == teamId
            && ApnsKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256,
                DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Whether the webhook push carries a valid signature of its body.</summary>
    public static bool IsSigned(FakeRequest request, string secret) =>
        request.Headers.TryGetValue(WebhookSignature.TimestampHeader.ToLowerInvariant(), out var ts)
        && request.Headers.TryGetValue(WebhookSignature.SignatureHeader.ToLowerInvariant(), out var sig)
        && WebhookSignature.Verify(secret, long.Parse(ts), Encoding.UTF8.GetBytes(request.Body), sig);

    private static byte[] Base64Url(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - s.Length % 4) % 4));
    }
}
