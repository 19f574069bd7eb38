using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests.Mobile;

/// <summary>
/// PROTOCOL §9: the mobile SDKs speak only https and wss. Kestrel serves TLS with a certificate named in configuration
/// (<c>Kestrel:Certificates:Default:Path</c>/<c>Password</c>, README "Mobile apps"); REST, file links and MQTT over
/// WSS all work through it. The client pins the test's own self-signed certificate instead of trusting any.
/// </summary>
public sealed class TlsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("gl-tls").FullName;
    private readonly X509Certificate2 _certificate;
    private readonly string _pfx;

    public TlsTests()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        _pfx = Path.Combine(_dir, "server.pfx");
        File.WriteAllBytes(_pfx, _certificate.Export(X509ContentType.Pfx, "test-password"));
        // The same certificate as PEM files, for nginx.
        File.WriteAllText(Path.Combine(_dir, "server.crt"), _certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, "server.key"), key.ExportPkcs8PrivateKeyPem());
    }

    private bool IsOurs(X509Certificate? presented) =>
        presented is not null && presented.GetCertHashString() == _certificate.GetCertHashString();

    [Fact]
    public async Task Kestrel_serves_https_and_wss_with_a_certificate_from_configuration()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["urls"] = "https://127.0.0.1:0",
            ["Kestrel:Certificates:Default:Path"] = _pfx,
            ["Kestrel:Certificates:Default:Password"] = "test-password",
        });
        await ExerciseOverTlsAsync(server, $"https://127.0.0.1:{server.Port}");
    }

    [SkippableFact]
    public async Task Behind_nginx_terminating_tls_https_wss_and_file_links_work()
    {
        var nginx = LocalMachine.FindProgram("nginx");
        if (nginx is null)
        {
            Assert.False(ExternalServices.InCi, "nginx is not installed (.ci/run installs it)");
            Skip.If(true, "nginx is not installed");
        }
        var port = LocalMachine.FreePort();
        var origin = $"https://127.0.0.1:{port}";
        // The node speaks plain HTTP on loopback; nginx terminates TLS (docs/DEPLOYMENT.md). Links use the public origin.
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["GitpleLive:PublicBaseUrl"] = origin });
        var user = Environment.UserName == "root" ? "user root;" : "";
        File.WriteAllText(Path.Combine(_dir, "nginx.conf"), $$"""
            {{user}}
            worker_processes 1;
            pid {{_dir}}/nginx.pid;
            error_log {{_dir}}/error.log warn;
            events { worker_connections 64; }
            http {
                access_log off;
                client_body_temp_path {{_dir}}/client_body;
                proxy_temp_path {{_dir}}/proxy;
                fastcgi_temp_path {{_dir}}/fastcgi;
                uwsgi_temp_path {{_dir}}/uwsgi;
                scgi_temp_path {{_dir}}/scgi;
                underscores_in_headers on;
                client_max_body_size 0;
                map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                server {
                    listen 127.0.0.1:{{port}} ssl;
                    ssl_certificate {{_dir}}/server.crt;
                    ssl_certificate_key {{_dir}}/server.key;
                    location /ws {
                        proxy_pass http://127.0.0.1:{{server.Port}};
                        proxy_http_version 1.1;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        proxy_set_header Host $http_host;
                        proxy_read_timeout 1h;
                    }
                    location / {
                        proxy_pass http://127.0.0.1:{{server.Port}};
                        proxy_http_version 1.1;
                        proxy_set_header Host $http_host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                    }
                }
            }
            """);
        var start = new System.Diagnostics.ProcessStartInfo(nginx!) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var arg in new[] { "-p", _dir, "-c", Path.Combine(_dir, "nginx.conf"), "-e", Path.Combine(_dir, "error.log"), "-g", "daemon off;" })
            start.ArgumentList.Add(arg);
        using var proxy = System.Diagnostics.Process.Start(start)!;
        try
        {
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => IsOurs(cert) };
            using var probe = new HttpClient(handler);
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while (true)
            {
                try
                {
                    using var r = await probe.GetAsync(origin + "/health");
                    if (r.IsSuccessStatusCode) break;
                }
                catch (HttpRequestException) when (DateTime.UtcNow < deadline && !proxy.HasExited)
                {
                }
                Assert.False(proxy.HasExited, "nginx exited: " + await proxy.StandardError.ReadToEndAsync());
                Assert.True(DateTime.UtcNow < deadline, "nginx did not answer");
                await Task.Delay(100);
            }
            await ExerciseOverTlsAsync(server, origin);
        }
        finally
        {
            if (!proxy.HasExited) proxy.Kill(entireProcessTree: true);
            await proxy.WaitForExitAsync();
        }
    }

    /// <summary>What a mobile SDK does over TLS: health, tokens, MQTT over WSS with an event, a file link that opens.</summary>
    private async Task ExerciseOverTlsAsync(TestServer server, string origin)
    {
        var port = new Uri(origin).Port;
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, cert, _, _) => IsOurs(cert) };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(origin) };

        using (var health = await http.GetAsync("/health"))
            Assert.Equal("Health!", await health.Content.ReadAsStringAsync());
        // A client that validates certificates normally refuses the self-signed one: the channel really is TLS.
        using (var strict = new HttpClient())
            await Assert.ThrowsAsync<HttpRequestException>(() => strict.GetAsync(origin + "/health"));

        // Platform API → session token → SDK token, all over HTTPS.
        var user = Api.NewId("tls");
        var headers = new Dictionary<string, string> { ["APP_ID"] = server.AppId, ["APP_API_KEY"] = server.ApiKey };
        await SendAsync(http, HttpMethod.Post, "/v1/users", $$"""{"user_id":"{{user}}","name":"T"}""", headers);
        var session = (await SendAsync(http, HttpMethod.Post, $"/v1/users/{user}/token", "{}", headers)).Str("token");
        var sdkHeaders = new Dictionary<string, string> { ["APP_ID"] = server.AppId, ["USER_ID"] = user, ["Authorization"] = "Bearer " + session };
        var sdk = (await SendAsync(http, HttpMethod.Post, "/v1/sdk/users/token", "{}", sdkHeaders)).Str("token");
        sdkHeaders["Authorization"] = "Bearer " + sdk;
        await SendAsync(http, HttpMethod.Post, "/v1/sdk/group/channels/", """{"channel_id":"secure","name":"S"}""", sdkHeaders);

        // MQTT over WSS: CONNECT, CONNACK, and (subscriptions restored on CONNECT) an event without SUBSCRIBE.
        using var ws = new ClientWebSocket();
        ws.Options.AddSubProtocol("mqtt");
        ws.Options.RemoteCertificateValidationCallback = (_, cert, _, _) => IsOurs(cert);
        await ws.ConnectAsync(new Uri($"wss://127.0.0.1:{port}/ws"), CancellationToken.None);
        Assert.Equal("mqtt", ws.SubProtocol); // Paho refuses a 101 without it
        await ws.SendAsync(Connect($"{server.AppId}::{user}::v1.0.0::1::127.0.0.1::ios::{Guid.NewGuid()}", user, sdk),
            WebSocketMessageType.Binary, true, CancellationToken.None);
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x00 }, await ReceiveAsync(ws));

        var sent = await SendAsync(http, HttpMethod.Post, "/v1/sdk/group/channels/secure/messages",
            """{"type":"text","content":"over tls"}""", sdkHeaders);
        var publish = await ReceiveAsync(ws);
        Assert.Equal(0x30, publish[0] & 0xF0);
        var text = Encoding.UTF8.GetString(publish);
        Assert.Contains("group:message_send", text);
        Assert.Contains("over tls", text);
        Assert.True(sent!["message_id"] is not null);

        // File links use the bound https address, and open through TLS.
        using var form = new MultipartFormDataContent { { new StringContent("file"), "type" }, { new ByteArrayContent([1, 2, 3]), "file", "a.png" } };
        using var upload = new HttpRequestMessage(HttpMethod.Post, "/v1/sdk/group/channels/secure/messages") { Content = form };
        foreach (var (k, v) in sdkHeaders) upload.Headers.TryAddWithoutValidation(k, v);
        using var uploaded = await http.SendAsync(upload);
        var url = JsonNode.Parse(await uploaded.Content.ReadAsStringAsync())!["file"].Str("url");
        Assert.StartsWith(origin + "/v1/files/", url);
        Assert.Equal([1, 2, 3], await http.GetByteArrayAsync(url));
    }

    private static async Task<JsonNode> SendAsync(HttpClient http, HttpMethod method, string path, string json,
        Dictionary<string, string> headers)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (k, v) in headers) request.Headers.TryAddWithoutValidation(k, v);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    /// <summary>An MQTT 3.1.1 CONNECT: clean session, keepalive 30 s, user name and password.</summary>
    private static byte[] Connect(string clientId, string user, string password)
    {
        static byte[] Str(string s)
        {
            var b = Encoding.UTF8.GetBytes(s);
            return [(byte)(b.Length >> 8), (byte)b.Length, .. b];
        }
        byte[] body = [.. Str("MQTT"), 4, 0xC2, 0, 30, .. Str(clientId), .. Str(user), .. Str(password)];
        var length = new List<byte>();
        var n = body.Length;
        do
        {
            var digit = (byte)(n % 128);
            n /= 128;
            length.Add(n > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (n > 0);
        return [0x10, .. length, .. body];
    }

    private static async Task<byte[]> ReceiveAsync(ClientWebSocket ws)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[64 * 1024];
        var total = 0;
        bool end;
        do
        {
            var r = await ws.ReceiveAsync(buffer.AsMemory(total), timeout.Token);
            total += r.Count;
            end = r.EndOfMessage;
        }
        while (!end);
        return buffer[..total];
    }

    public void Dispose()
    {
        _certificate.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
