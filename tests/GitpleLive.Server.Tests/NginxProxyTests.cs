using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using GitpleLive.Server.Realtime;
using GitpleLive.TestHost;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;

namespace GitpleLive.Server.Tests;

/// <summary>
/// docs/DEPLOYMENT.md's proxy setup, for real: Debian's nginx in front of two nodes (PostgreSQL + Redis), WebSocket
/// upgrade on <c>/ws</c>, the protocol's underscore headers passed through, file links working through it.
/// </summary>
public class NginxProxyTests
{


    /// <summary>The proxy part of docs/DEPLOYMENT.md, on plain HTTP and a loopback port, with its files in <paramref name="dir"/>.</summary>
    private static string Config(string dir, int port, params int[] nodes)
    {
        var user = Environment.UserName == "root" ? "user root;" : "";
        return $$"""
            {{user}}
            worker_processes 1;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log warn;
            events { worker_connections 512; }
            http {
                log_format upstream '$request $status $upstream_addr';
                access_log {{dir}}/access.log upstream;
                client_body_temp_path {{dir}}/client_body;
                proxy_temp_path {{dir}}/proxy;
                fastcgi_temp_path {{dir}}/fastcgi;
                uwsgi_temp_path {{dir}}/uwsgi;
                scgi_temp_path {{dir}}/scgi;

                # APP_ID, USER_ID and APP_API_KEY have underscores: nginx drops such headers unless told not to.
                underscores_in_headers on;
                client_max_body_size 0;

                map $http_upgrade $connection_upgrade { default upgrade; '' close; }

                upstream gitplelive {
                    {{string.Join("\n", nodes.Select(n => $"server 127.0.0.1:{n};"))}}
                    keepalive 16;
                }

                server {
                    listen 127.0.0.1:{{port}};

                    location /ws {
                        proxy_pass http://gitplelive;
                        proxy_http_version 1.1;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                        proxy_set_header Host $http_host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_read_timeout 1h;
                        proxy_send_timeout 1h;
                        proxy_buffering off;
                    }

                    location / {
                        proxy_pass http://gitplelive;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host $http_host;
                        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        proxy_set_header X-Forwarded-Proto $scheme;
                        proxy_request_buffering off;
                    }
                }
            }
            """;
    }

    [SkippableFact]
    public async Task Through_nginx_a_client_hears_a_message_sent_on_the_other_node_and_file_links_work()
    {
        var nginx = LocalMachine.FindProgram("nginx");
        if (nginx is null)
        {
            Assert.False(ExternalServices.InCi, "nginx is not installed (.ci/run installs it)");
            Skip.If(true, "nginx is not installed");
        }
        var reason = await ExternalServices.PostgresAndRedisMissingAsync();
        Skip.If(reason is not null, reason);

        var id = Guid.NewGuid().ToString("N")[..8];
        // Both nodes share the data folder: the uploaded files and the key that signs their links.
        var shared = Path.Combine(Path.GetTempPath(), "gitplelive-tests", "nginx-" + id);
        var port = LocalMachine.FreePort();
        // Links are built from the configured public address (never from a request's Host header).
        var nodes = await TwoNodes.StartAsync("proxy", new Dictionary<string, string?>
        {
            ["GitpleLive:PublicBaseUrl"] = $"http://127.0.0.1:{port}",
        }, dataDirectory: shared);
        var (a, b) = nodes;
        var dir = Path.Combine(Path.GetTempPath(), "gitplelive-tests", "nginx-conf-" + id);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "nginx.conf"), Config(dir, port, a.Port, b.Port));
        var start = new ProcessStartInfo(nginx!) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-p", dir, "-c", Path.Combine(dir, "nginx.conf"), "-e", Path.Combine(dir, "error.log"), "-g", "daemon off;" })
            start.ArgumentList.Add(arg);
        using var proxy = Process.Start(start)!;
        var proxyUrl = $"http://127.0.0.1:{port}";
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(proxyUrl), Timeout = TimeSpan.FromSeconds(30) };
            await WaitForProxyAsync(http, proxy, dir);

            // /health through the proxy names the original client.
            using (var health = await http.GetAsync("/health"))
            {
                Assert.Equal(200, (int)health.StatusCode);
                Assert.Equal("127.0.0.1", health.Headers.GetValues("x-forwarded-for").Single());
            }

            var alice = await a.SdkUserAsync("alice");
            var bob = await a.SdkUserAsync("bob");
            await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "edge", name = "Edge", members = new[] { "bob" } });

            // The SDK's underscore headers reach the nodes through nginx.
            using var bobHttp = new HttpClient { BaseAddress = new Uri(proxyUrl) };
            bobHttp.DefaultRequestHeaders.Add("APP_ID", a.AppId);
            bobHttp.DefaultRequestHeaders.Add("USER_ID", "bob");
            bobHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bob.SdkToken);
            Assert.Equal("bob", (await bobHttp.GetJsonAsync("/v1/sdk/users/info/me"))!["user_id"]!.GetValue<string>());

            // Bob connects over MQTT-over-WebSocket through nginx and subscribes to the channel.
            var received = Channel.CreateUnbounded<(string Topic, string Payload)>();
            using var mqtt = new MqttClientFactory().CreateMqttClient();
            mqtt.ApplicationMessageReceivedAsync += e =>
            {
                received.Writer.TryWrite((e.ApplicationMessage.Topic, Encoding.UTF8.GetString(e.ApplicationMessage.Payload)));
                return Task.CompletedTask;
            };
            await mqtt.ConnectAsync(new MqttClientOptionsBuilder().WithWebSocketServer(o => o.WithUri($"ws://127.0.0.1:{port}/ws"))
                .WithClientId($"{a.AppId}::bob::test::{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}::127.0.0.1")
                .WithCredentials("bob", bob.SdkToken).WithCleanSession().Build());
            var prefix = $"mqtt/topic/gitple/live/{a.AppId}";
            await mqtt.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter($"{prefix}/channel/group/edge/all/#").Build());

            // Find the node nginx gave him, and send through the other one, straight to it.
            var onA = a.Services.GetRequiredService<ConnectionDirectory>().Count;
            var onB = b.Services.GetRequiredService<ConnectionDirectory>().Count;
            Assert.Equal(1, onA + onB);
            var other = onA == 1 ? b : a;
            using var otherAlice = new HttpClient { BaseAddress = new Uri(other.BaseUrl) };
            foreach (var h in alice.Http.DefaultRequestHeaders) otherAlice.DefaultRequestHeaders.TryAddWithoutValidation(h.Key, h.Value);
            await otherAlice.PostJsonAsync("/v1/sdk/group/channels/edge/messages", new { type = "text", content = "via the other node" });
            var got = await received.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal($"{prefix}/channel/group/edge/all/group:message_send", got.Topic);
            Assert.Contains("via the other node", got.Payload);

            // A file sent through nginx: its link points at nginx and loads through it, whichever node answers.
            var bytes = Encoding.UTF8.GetBytes("a file through the proxy " + id);
            using var form = new MultipartFormDataContent
            {
                { new StringContent("file"), "type" },
                { new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("text/plain") } }, "file", "note.txt" },
            };
            using var upload = await bobHttp.PostAsync("/v1/sdk/group/channels/edge/messages", form);
            var message = JsonNode.Parse(await upload.Content.ReadAsStringAsync())!;
            Assert.True(upload.IsSuccessStatusCode, message.ToJsonString());
            var url = message["file"]!["url"]!.GetValue<string>();
            Assert.StartsWith(proxyUrl + "/v1/files/", url);
            using var plain = new HttpClient();
            for (var i = 0; i < 4; i++) Assert.Equal(bytes, await plain.GetByteArrayAsync(url));
            // nginx spread the file requests over both nodes, and each served the link the other signed.
            var fileLines = (await File.ReadAllLinesAsync(Path.Combine(dir, "access.log"))).Where(l => l.Contains("/v1/files/")).ToList();
            Assert.Contains(fileLines, l => l.EndsWith($"127.0.0.1:{a.Port}", StringComparison.Ordinal));
            Assert.Contains(fileLines, l => l.EndsWith($"127.0.0.1:{b.Port}", StringComparison.Ordinal));

            await mqtt.DisconnectAsync();
        }
        finally
        {
            // SIGTERM to the master stops its workers too; a plain Kill (SIGKILL) would orphan them.
            if (!proxy.HasExited)
            {
                using var stop = Process.Start(new ProcessStartInfo(nginx!, ["-p", dir, "-c", Path.Combine(dir, "nginx.conf"),
                    "-e", Path.Combine(dir, "error.log"), "-s", "stop"]) { UseShellExecute = false })!;
                await stop.WaitForExitAsync();
            }
            using (var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                try { await proxy.WaitForExitAsync(stopped.Token); }
                catch (OperationCanceledException) { proxy.Kill(entireProcessTree: true); }
            }
            await nodes.DisposeAsync();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task WaitForProxyAsync(HttpClient http, Process proxy, string dir)
    {
        for (var i = 0; i < 100; i++)
        {
            if (proxy.HasExited)
                Assert.Fail($"nginx exited {proxy.ExitCode}: {await proxy.StandardError.ReadToEndAsync()} "
                    + File.ReadAllText(Path.Combine(dir, "error.log")));
            try
            {
                using var r = await http.GetAsync("/health");
                if (r.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        Assert.Fail("nginx did not answer");
    }
}
