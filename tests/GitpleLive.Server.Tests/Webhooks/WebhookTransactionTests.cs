using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GitpleLive.Protocol;
using GitpleLive.Server.Api;
using GitpleLive.Server.Events;
using GitpleLive.Server.Storage;
using GitpleLive.Server.Webhooks;
using GitpleLive.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Server.Tests.Webhooks;

/// <summary>
/// A change's webhook deliveries are written in the change's own transaction (<see cref="WebhookStage"/>): a kill -9 right
/// after the answers loses none, a write refused in a batch leaves none, and an app without webhooks gets none.
/// </summary>
public class WebhookTransactionTests
{
    private static readonly string ServerDll = Path.Combine(AppContext.BaseDirectory, "GitpleLive.Server.dll");

    /// <summary>Every delivery stored: in the delivery table, or still in the inbox a delivering node expands (newer).</summary>
    private static Task<List<WebhookDeliveryRow>> RowsAsync(TestServer server) =>
        server.Services.GetRequiredService<ChatStore>().ReadAsync(async db =>
        {
            await using var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
            var rows = await db.WebhookDeliveries.OrderBy(d => d.Id).ToListAsync();
            rows.AddRange(await WebhookInbox.UnexpandedAsync(db));
            return rows;
        });

    private static long MessageId(WebhookDeliveryRow row) => JsonNode.Parse(row.Body)!["message"]!["message_id"]!.GetValue<long>();

    [Fact]
    public async Task Every_acknowledged_change_is_delivered_once_after_a_sigkill_right_after_the_answers()
    {
        var data = Path.Combine(Path.GetTempPath(), "gitplelive-tests", "webhook-crash-" + Guid.NewGuid().ToString("N")[..8]);
        var (appId, apiKey) = ("app-" + Guid.NewGuid().ToString("N")[..8], "key-" + Guid.NewGuid().ToString("N"));
        var port = LocalMachine.FreePort();
        await using var receiver = await WebhookReceiver.StartAsync(WebhookTestKit.Secret);
        // Down: every attempt before the kill fails, so every delivery is still queued when the process dies.
        receiver.Respond = _ => (503, TimeSpan.Zero);
        var acknowledged = new ConcurrentDictionary<long, string>();
        const string channel = "crash";
        try
        {
            await using (var first = await ServerProcess.StartAsync(data, port, appId, apiKey))
            {
                using var platform = Platform(port, appId, apiKey);
                var users = Enumerable.Range(0, 8).Select(i => $"s{i}").ToArray();
                foreach (var u in users) await platform.PostJsonAsync("/v1/users", new { user_id = u, name = u });
                await platform.PutJsonAsync("/v1/app/webhooks", new { url = receiver.Url, secret = WebhookTestKit.Secret });
                await platform.PostJsonAsync("/v1/group/channels", new { channel_id = channel, name = "Crash", members = users });
                var clients = new List<HttpClient>();
                foreach (var u in users) clients.Add(await SdkAsync(platform, port, appId, u));
                var changed = false;
                var killed = new TaskCompletionSource();
                // SIGKILL from the continuation of an answer, at once: the writes answered last are a batch ago at most.
                void KillOnceReady()
                {
                    if (!Volatile.Read(ref changed) || acknowledged.Count < 60 || killed.Task.IsCompleted) return;
                    lock (killed)
                    {
                        if (killed.Task.IsCompleted) return;
                        first.Kill();
                        killed.SetResult();
                    }
                }
                var loops = clients.Select((http, i) => Task.Run(async () =>
                {
                    for (var n = 0; !killed.Task.IsCompleted; n++)
                    {
                        var content = $"s{i}-{n}";
                        try
                        {
                            using var response = await http.PostAsJsonAsync($"/v1/sdk/group/channels/{channel}/messages",
                                new { type = "text", content });
                            if (!response.IsSuccessStatusCode) continue;
                            var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
                            acknowledged[body["message_id"]!.GetValue<long>()] = content;
                            KillOnceReady();
                        }
                        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException)
                        {
                            return; // the server is gone: never acknowledged
                        }
                    }
                })).ToArray();
                for (var i = 0; i < 1000 && acknowledged.Count < 30; i++) await Task.Delay(10);
                Assert.True(acknowledged.Count >= 30, $"only {acknowledged.Count} sends were acknowledged");
                // A channel change among the sends; once it is answered, the next send's answer kills the process.
                await platform.PutJsonAsync($"/v1/group/channels/{channel}", new { name = "Renamed" });
                Volatile.Write(ref changed, true);
                KillOnceReady();
                await killed.Task.WaitAsync(TimeSpan.FromSeconds(30));
                await first.WaitForExitAsync();
                await Task.WhenAll(loops);
                Assert.DoesNotContain(receiver.Accepted, r => r.Category == "group:message_send");
            }

            receiver.Respond = null; // up
            await using (await ServerProcess.StartAsync(data, port, appId, apiKey))
            {
                using var platform = Platform(port, appId, apiKey);
                var expected = acknowledged.Keys.ToHashSet();
                await receiver.WaitAsync(all => expected.IsSubsetOf(all.Where(r => r.Category == "group:message_send")
                    .Select(r => r.Body["message"]!["message_id"]!.GetValue<long>())) && all.Any(r => r.Category == "group:channel_update"),
                    TimeSpan.FromSeconds(90));
                await Task.Delay(TimeSpan.FromSeconds(2)); // a second delivery of anything would arrive meanwhile

                var stored = new Dictionary<long, string>();
                for (long after = 0; ;)
                {
                    var page = (await platform.GetJsonAsync(
                        $"/v1/group/channels/{channel}/messages?mode=next&base_message_id={after}&limit=100"))!["messages"]!.AsArray();
                    if (page.Count == 0) break;
                    foreach (var m in page) stored[m.Long("message_id")] = m.Str("content");
                    after = page[^1].Long("message_id");
                }
                var got = receiver.Accepted;
                Assert.Equal(got.Count, got.Select(r => r.DeliveryId).Distinct().Count());
                var sends = got.Where(r => r.Category == "group:message_send").ToList();
                var delivered = sends.Select(r => r.Body["message"]!["message_id"]!.GetValue<long>()).ToList();
                // Once each, and exactly the messages stored: every acknowledged one, and those committed just before the kill.
                Assert.Equal(delivered.Distinct().Count(), delivered.Count);
                Assert.Equal(stored.Keys.Order(), delivered.Order());
                Assert.Superset(expected, delivered.ToHashSet());
                Assert.Equal(delivered.Order(), delivered); // still in the channel's order
                foreach (var r in sends)
                    Assert.Equal(stored[r.Body["message"]!["message_id"]!.GetValue<long>()], r.Body["message"]!["content"]!.GetValue<string>());
                var update = Assert.Single(got, r => r.Category == "group:channel_update");
                Assert.Equal("Renamed", update.Body["channel"]!["name"]!.GetValue<string>());
                Assert.Single(got, r => r.Category == "group:channel_create");
            }
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    [Fact]
    public async Task Writes_refused_in_a_batch_leave_no_delivery_row_on_sqlite()
    {
        await using var kit = await WebhookTestKit.StartAsync();
        await RefusedLeaveNoRowAsync(kit.Server);
    }

    [SkippableFact]
    public async Task Writes_refused_in_a_batch_leave_no_delivery_row_on_postgres()
    {
        var reason = await ExternalServices.PostgresUnavailableAsync();
        if (reason is not null)
        {
            Assert.False(ExternalServices.InCi, reason);
            Skip.If(true, reason);
        }
        var db = await ExternalServices.CreatePostgresDatabaseAsync();
        try
        {
            await using var kit = await WebhookTestKit.StartAsync(new Dictionary<string, string?>
            {
                ["GitpleLive:StorageProvider"] = "postgres", ["GitpleLive:ConnectionString"] = db,
            });
            await RefusedLeaveNoRowAsync(kit.Server);
        }
        finally
        {
            await ExternalServices.DropPostgresDatabaseAsync(db);
        }
    }

    /// <summary>Members' sends racing outsiders' refused sends and refused meta changes (as in <see cref="GroupCommitTests"/>).</summary>
    private static async Task RefusedLeaveNoRowAsync(TestServer server)
    {
        const int each = 20;
        var members = await server.NewUsersAsync("m", "m", "m");
        var outsiders = await server.NewUsersAsync("o", "o", "o");
        var channel = await members[0].NewChannelAsync(members[1..]);
        var accepted = new ConcurrentBag<long>();
        var sends = members.Select(u => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++) accepted.Add((await u.SendTextAsync(channel, $"{u.UserId} {i}")).Long("message_id"));
        }));
        var refusals = outsiders.Select(u => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await u.Http.ExpectErrorAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{channel}/messages",
                    new { type = "text", content = "not a member" }, 403, 1008);
                await u.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{channel}/messages/999999999/meta",
                    new { meta = new { k = "v" } }, 403, 1008);
            }
        }));
        // Writes with events straight on the writer, half of them refusing, beside ones that succeed: rows for these only.
        var writer = server.Services.GetRequiredService<StoreWriter>();
        var direct = Enumerable.Range(0, 40).Select(i => writer.WriteAsync<int>(_ =>
        {
            if (i % 2 == 1) throw ApiException.BadRequest($"refused {i}");
            return Task.FromResult(i);
        }, events: n => [new ChatEvent
        {
            AppId = server.AppId, TopicKind = EventTopicKind.User, TargetId = $"direct-{n}",
            Payload = new EventPayload(EventCategories.UserUpdate, User: new { user_id = $"direct-{n}" }),
        }])).ToList();
        await Task.WhenAll(sends.Concat(refusals));
        for (var i = 0; i < direct.Count; i++)
        {
            if (i % 2 == 0) Assert.Equal(i, await direct[i]);
            else await Assert.ThrowsAsync<ApiException>(() => direct[i]);
        }

        // The rows are there as the answers are: no waiting for a buffer.
        var rows = await RowsAsync(server);
        var sent = rows.Where(r => r.Category == "group:message_send").Select(MessageId).ToList();
        Assert.Equal(accepted.Order(), sent.Order());
        Assert.DoesNotContain(rows, r => r.Body.Contains("not a member", StringComparison.Ordinal));
        Assert.DoesNotContain(rows, r => r.Category == "group:message_update");
        var raised = rows.Where(r => r.Category == "user_update")
            .Select(r => JsonNode.Parse(r.Body)!["user"]!["user_id"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"direct-{i * 2}").Order(), raised);
        Assert.True(writer.LargestBatch > 1, "no batch held more than one write");
    }

    [Fact]
    public async Task An_app_without_webhooks_gets_no_delivery_rows_and_one_with_them_gets_a_row_with_each_answer()
    {
        await using var server = await TestServer.StartAsync(WebhookTestKit.ShortSettings());
        await using var receiver = await WebhookReceiver.StartAsync(WebhookTestKit.Secret);
        var (alice, bob) = (await server.SdkUserAsync("alice"), await server.SdkUserAsync("bob"));
        const string room = "/v1/sdk/group/channels/plain";
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "plain", name = "n", members = new[] { "bob" } });
        var id = (await alice.SendTextAsync("plain", "one")).Long("message_id");
        await bob.Http.PostJsonAsync(room + "/messages", new { type = "text", content = "reply", parent_message_id = id });
        await alice.Http.PutJsonAsync($"{room}/messages/{id}/meta", new { meta = new { k = "v" } });
        await bob.Http.PostJsonAsync($"{room}/messages/{id}/reactions", new { key = "ok" });
        await alice.Http.PutJsonAsync(room, new { name = "renamed" });
        await bob.Http.PutJsonAsync(room + "/messages/read");
        await server.Platform.PutJsonAsync("/v1/users/bob", new { name = "Bobby" });
        Assert.Empty(await RowsAsync(server));

        await server.Platform.PutJsonAsync("/v1/app/webhooks", new
        {
            url = receiver.Url, secret = WebhookTestKit.Secret, categories = new[] { "group:message_send" },
        });
        var sent = (await alice.SendTextAsync("plain", "two")).Long("message_id");
        // Committed with the send: the row is there when the answer is.
        var row = Assert.Single(await RowsAsync(server));
        Assert.Equal(("group:message_send", sent), (row.Category, MessageId(row)));
        await alice.Http.PutJsonAsync(room, new { name = "not chosen" });
        Assert.Equal([row.DeliveryId], (await RowsAsync(server)).Select(r => r.DeliveryId));
        var delivered = await receiver.WaitForAsync("group:message_send");
        Assert.Equal(row.DeliveryId, delivered.DeliveryId);
    }

    private sealed class ServerProcess(Process process) : IAsyncDisposable
    {
        public static async Task<ServerProcess> StartAsync(string data, int port, string appId, string apiKey)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[]
            {
                ServerDll, $"--urls=http://127.0.0.1:{port}", $"--GitpleLive:DataDirectory={data}", $"--GitpleLive:DefaultAppId={appId}",
                $"--GitpleLive:DefaultApiKey={apiKey}", "--GitpleLive:RateLimits:Enabled=false",
                "--GitpleLive:Webhooks:PollInterval=00:00:00.200", "--GitpleLive:Webhooks:AttemptTimeout=00:00:01",
                // Long gaps between the failing attempts: the kill seldom lands while one holds its lease.
                "--GitpleLive:Webhooks:FirstRetryDelay=00:00:02", "--GitpleLive:Webhooks:MaxRetryDelay=00:00:02",
                "--Logging:LogLevel:Default=Warning",
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
                    if ((await http.GetAsync($"http://127.0.0.1:{port}/health/ready")).IsSuccessStatusCode) return new(process);
                }
                catch (HttpRequestException) { }
                if (process.HasExited) throw new InvalidOperationException($"the server exited with {process.ExitCode}");
                await Task.Delay(100);
            }
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the server did not become ready");
        }

        /// <summary>SIGKILL: no shutdown, no flush.</summary>
        public void Kill() => process.Kill();

        public Task WaitForExitAsync() => process.WaitForExitAsync();

        public async Task KillAsync()
        {
            Kill();
            await process.WaitForExitAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited) await KillAsync();
            process.Dispose();
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
