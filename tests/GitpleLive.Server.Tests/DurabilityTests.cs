using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>
/// kill -9 under load loses nothing acknowledged: the server runs as a child process (SQLite, WAL with
/// synchronous=NORMAL, group commit), many senders send into one channel, the process gets SIGKILL while
/// sends are in flight, and after a restart on the same data every acknowledged message is there, with its
/// content, ids strictly increasing, and the channel's counter equal to the messages stored.
/// </summary>
public class DurabilityTests
{
    private static readonly string ServerDll = Path.Combine(AppContext.BaseDirectory, "GitpleLive.Server.dll");

    private sealed class Child(Process process, int port) : IAsyncDisposable
    {
        public Process Process { get; } = process;
        public string BaseUrl { get; } = $"http://127.0.0.1:{port}";

        public async ValueTask DisposeAsync()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                await Process.WaitForExitAsync();
            }
            Process.Dispose();
        }
    }

    private static async Task<Child> StartAsync(string data, int port)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ServerDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["GITPLELIVE_APP_ID"] = "durable";
        start.Environment["GITPLELIVE_API_KEY"] = "durable-key";
        start.Environment["GitpleLive__DataDirectory"] = data;
        start.Environment["GitpleLive__RateLimits__Enabled"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var child = new Child(process, port);
        using var http = new HttpClient();
        for (var i = 0; i < 300; i++)
        {
            Assert.False(process.HasExited, "the server exited while starting");
            try
            {
                if ((await http.GetAsync(child.BaseUrl + "/health/live")).IsSuccessStatusCode) return child;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        await child.DisposeAsync();
        throw new TimeoutException("the server did not start");
    }

    private static HttpClient Platform(Child server)
    {
        var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        http.DefaultRequestHeaders.Add("APP_ID", "durable");
        http.DefaultRequestHeaders.Add("APP_API_KEY", "durable-key");
        return http;
    }

    private static async Task<HttpClient> SdkAsync(Child server, HttpClient platform, string user)
    {
        var session = (await (await platform.PostAsJsonAsync($"/v1/users/{user}/token", new { })).Content.ReadFromJsonAsync<JsonObject>())!;
        var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        http.DefaultRequestHeaders.Add("APP_ID", "durable");
        http.DefaultRequestHeaders.Add("USER_ID", user);
        using var exchange = new HttpRequestMessage(HttpMethod.Post, "/v1/sdk/users/token") { Content = JsonContent.Create(new { }) };
        exchange.Headers.Add("Authorization", "Bearer " + session["token"]!.GetValue<string>());
        var sdk = (await (await http.SendAsync(exchange)).Content.ReadFromJsonAsync<JsonObject>())!;
        http.DefaultRequestHeaders.Add("Authorization", "Bearer " + sdk["token"]!.GetValue<string>());
        return http;
    }

    [Fact]
    public async Task Sigkill_under_load_loses_no_acknowledged_message()
    {
        var data = Path.Combine(Path.GetTempPath(), "gitplelive-tests", "durable-" + Guid.NewGuid().ToString("N")[..8]);
        var port = LocalMachine.FreePort();
        const int senders = 16;
        var acknowledged = new ConcurrentDictionary<long, string>();
        await using (var server = await StartAsync(data, port))
        {
            using var platform = Platform(server);
            var users = Enumerable.Range(0, senders).Select(i => $"u{i}").ToArray();
            foreach (var u in users) (await platform.PostAsJsonAsync("/v1/users", new { user_id = u, name = u })).EnsureSuccessStatusCode();
            (await platform.PostAsJsonAsync("/v1/group/channels", new { channel_id = "room", name = "Room", members = users }))
                .EnsureSuccessStatusCode();
            var clients = new List<HttpClient>();
            foreach (var u in users) clients.Add(await SdkAsync(server, platform, u));
            using var stop = new CancellationTokenSource();
            var inFlight = 0;
            var loops = clients.Select((http, i) => Task.Run(async () =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var content = $"u{i}-{n}";
                    Interlocked.Increment(ref inFlight);
                    try
                    {
                        using var response = await http.PostAsJsonAsync("/v1/sdk/group/channels/room/messages",
                            new { type = "text", content });
                        if (!response.IsSuccessStatusCode) continue;
                        var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
                        acknowledged[body["message_id"]!.GetValue<long>()] = content;
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                    {
                        return; // the server is gone: this send was never acknowledged
                    }
                    finally
                    {
                        Interlocked.Decrement(ref inFlight);
                    }
                }
            })).ToArray();
            // Kill once the load is on: a few hundred acknowledged and sends in flight.
            for (var i = 0; i < 600 && acknowledged.Count < 500; i++) await Task.Delay(10);
            Assert.True(acknowledged.Count >= 100, $"only {acknowledged.Count} sends were acknowledged before the kill");
            server.Process.Kill(); // SIGKILL
            await server.Process.WaitForExitAsync();
            stop.Cancel();
            await Task.WhenAll(loops);
            foreach (var c in clients) c.Dispose();
        }

        await using var again = await StartAsync(data, port);
        using var reader = Platform(again);
        var stored = new List<(long Id, string Content)>();
        long baseId = 0;
        while (true)
        {
            var page = (await reader.GetFromJsonAsync<JsonObject>(
                $"/v1/group/channels/room/messages?mode=next&base_message_id={baseId}&limit=100"))!["messages"]!.AsArray();
            if (page.Count == 0) break;
            foreach (var m in page) stored.Add((m!["message_id"]!.GetValue<long>(), m["content"]!.GetValue<string>()));
            baseId = stored[^1].Id;
        }
        var ids = stored.Select(s => s.Id).ToList();
        Assert.Equal(ids.OrderBy(i => i).Distinct(), ids);
        var byId = stored.ToDictionary(s => s.Id, s => s.Content);
        var lost = acknowledged.Where(a => !byId.TryGetValue(a.Key, out var c) || c != a.Value).Select(a => a.Key).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged messages are missing after the kill");
        var channel = (await reader.GetFromJsonAsync<JsonObject>("/v1/group/channels/room"))!;
        Assert.Equal(stored.Count, channel["total_message_count"]!.GetValue<long>());
    }
}
