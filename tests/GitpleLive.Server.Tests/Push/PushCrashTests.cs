using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests.Push;

/// <summary>
/// The push outbox is durable: the server as an operator runs it (a child process on its own data folder) is killed with
/// SIGKILL after the send committed while its provider hangs; started again on the same folder, it pushes the message once.
/// </summary>
public class PushCrashTests
{
    private static readonly string ServerDll = Path.Combine(AppContext.BaseDirectory, "GitpleLive.Server.dll");

    private sealed class ServerProcess(Process process, int port) : IAsyncDisposable
    {
        public int Port => port;

        public static async Task<ServerProcess> StartAsync(string data, int port, string appId, string apiKey)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[]
            {
                ServerDll, $"--urls=http://127.0.0.1:{port}", $"--GitpleLive:DataDirectory={data}", $"--GitpleLive:DefaultAppId={appId}",
                $"--GitpleLive:DefaultApiKey={apiKey}", "--GitpleLive:Push:PollInterval=00:00:00.200",
                "--GitpleLive:Push:LeaseDuration=00:00:03", "--GitpleLive:Push:RequestTimeout=00:00:03",
                "--GitpleLive:Push:RetryBaseDelay=00:00:00.200",
            })
                start.ArgumentList.Add(a);
            start.Environment["DOTNET_NOLOGO"] = "1";
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var http = new HttpClient();
            for (var i = 0; i < 300; i++)
            {
                try
                {
                    if ((await http.GetAsync($"http://127.0.0.1:{port}/health/ready")).IsSuccessStatusCode) return new(process, port);
                }
                catch (HttpRequestException) { }
                if (process.HasExited) throw new InvalidOperationException($"the server exited with {process.ExitCode}");
                await Task.Delay(100);
            }
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the server did not become ready");
        }

        /// <summary>SIGKILL: no shutdown, no flush, nothing finished.</summary>
        public async Task KillAsync()
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited) await KillAsync();
            process.Dispose();
        }
    }

    [Fact]
    public async Task A_push_whose_server_was_killed_after_the_commit_goes_out_once_after_the_restart()
    {
        var data = Path.Combine(Path.GetTempPath(), "gitplelive-tests", "push-crash-" + Guid.NewGuid().ToString("N")[..8]);
        var (appId, apiKey) = ("app-" + Guid.NewGuid().ToString("N")[..8], "key-" + Guid.NewGuid().ToString("N"));
        var port = LocalMachine.FreePort();
        await using var webhook = await FakeProvider.StartAsync();
        webhook.Hang = true;
        try
        {
            string channel;
            long messageId;
            await using (var first = await ServerProcess.StartAsync(data, port, appId, apiKey))
            {
                using var platform = Platform(port, appId, apiKey);
                await platform.PutJsonAsync("/v1/app/push", new { webhook = new { url = $"{webhook.BaseUrl}/push", secret = PushWorld.WebhookSecret } });
                var sender = await SdkAsync(platform, port, appId, "snd");
                var other = await SdkAsync(platform, port, appId, "oth");
                await other.PostJsonAsync("/v1/sdk/users/device_token", new { token = "tok-crash", platform = "android" });
                channel = Api.NewId("ch");
                await platform.PostJsonAsync("/v1/group/channels", new { channel_id = channel, name = "Crash", members = new[] { "snd", "oth" } });
                var sent = await sender.PostJsonAsync($"/v1/sdk/group/channels/{channel}/messages", new { type = "text", content = "survives" });
                messageId = sent!["message_id"]!.GetValue<long>();

                // The dispatcher has the row and its provider hangs: kill the process mid-push.
                for (var i = 0; i < 200 && webhook.All.Count == 0; i++) await Task.Delay(50);
                Assert.NotEmpty(webhook.All);
                Assert.Empty(webhook.Accepted);
                await first.KillAsync();
            }

            webhook.Hang = false;
            await using (await ServerProcess.StartAsync(data, port, appId, apiKey))
            {
                var push = Assert.Single(await webhook.WaitForAsync(1, timeout: TimeSpan.FromSeconds(30)));
                Assert.True(FakeKeys.IsSigned(push, PushWorld.WebhookSecret));
                Assert.Equal("tok-crash", push.Json["token"]!.GetValue<string>());
                var payload = JsonNode.Parse(push.Json["data"]!.GetValue<string>())!;
                Assert.Equal(messageId, payload["message"]!["message_id"]!.GetValue<long>());
                Assert.Equal(channel, payload["channel"]!["channel_id"]!.GetValue<string>());
                // Once: the finished row is gone, nothing sends it again.
                await Task.Delay(TimeSpan.FromSeconds(4));
                Assert.Single(webhook.Accepted);
            }
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static HttpClient Platform(int port, string appId, string apiKey)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Add("APP_ID", appId);
        http.DefaultRequestHeaders.Add("APP_API_KEY", apiKey);
        return http;
    }

    private static async Task<HttpClient> SdkAsync(HttpClient platform, int port, string appId, string userId)
    {
        await platform.PostJsonAsync("/v1/users", new { user_id = userId, name = userId });
        var session = (await platform.PostJsonAsync($"/v1/users/{userId}/token",
            new { expires_at = DateTimeOffset.UtcNow.AddDays(1).ToUnixTimeMilliseconds() }))!["token"]!.GetValue<string>();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Add("APP_ID", appId);
        http.DefaultRequestHeaders.Add("USER_ID", userId);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/sdk/users/token") { Content = JsonContent.Create(new { }) };
        request.Headers.Authorization = new("Bearer", session);
        var answer = await http.SendAsync(request);
        var token = JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["token"]!.GetValue<string>();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return http;
    }
}
