using System.Collections.Concurrent;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>The same REST behaviour on the PostgreSQL provider: ids, counters, paging, persistence.</summary>
public class PostgresStorageTests
{
    private static async Task<(TestServer Server, string Db)?> StartAsync(IDictionary<string, string?>? extra = null, string? db = null)
    {
        var reason = await ExternalServices.PostgresUnavailableAsync();
        if (reason is not null)
        {
            Assert.False(ExternalServices.InCi, reason);
            Skip.If(true, reason);
        }
        db ??= await ExternalServices.CreatePostgresDatabaseAsync();
        var settings = new Dictionary<string, string?> { ["GitpleLive:StorageProvider"] = "postgres", ["GitpleLive:ConnectionString"] = db };
        if (extra is not null) foreach (var (k, v) in extra) settings[k] = v;
        return (await TestServer.StartAsync(settings), db);
    }

    [SkippableFact]
    public async Task Concurrent_senders_get_increasing_unique_ids_and_exact_counters()
    {
        var (server, db) = (await StartAsync())!.Value;
        try
        {
            var users = new List<SdkUser>();
            for (var i = 0; i < 4; i++) users.Add(await server.SdkUserAsync($"u{i}"));
            await users[0].Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "pg", name = "pg", members = users.Skip(1).Select(u => u.UserId).ToArray() });

            var ids = new ConcurrentBag<long>();
            await Task.WhenAll(users.Select(async u =>
            {
                for (var n = 0; n < 15; n++)
                {
                    var m = await u.Http.PostJsonAsync("/v1/sdk/group/channels/pg/messages", new { type = "text", content = $"{u.UserId}-{n}" });
                    ids.Add(m!["message_id"]!.GetValue<long>());
                }
            }));
            Assert.Equal(60, ids.Distinct().Count());

            var channel = await users[0].Http.GetJsonAsync("/v1/sdk/group/channels/pg");
            Assert.Equal(60, channel!["total_message_count"]!.GetValue<int>());

            var page = await users[0].Http.GetJsonAsync("/v1/sdk/group/channels/pg/messages?limit=100");
            var listed = page!["messages"]!.AsArray().Select(m => m!["message_id"]!.GetValue<long>()).ToList();
            Assert.Equal(ids.OrderBy(x => x), listed);

            var joined = await users[1].Http.GetJsonAsync("/v1/sdk/group/channels/joined/list?show_unread=true");
            var unread = joined!["channels"]![0]!["unread"]!;
            Assert.Equal(45, unread["u1"]!.GetValue<int>());
            Assert.Equal(45, unread["u0"]!.GetValue<int>());

            await users[1].Http.PutJsonAsync("/v1/sdk/group/channels/pg/messages/read");
            joined = await users[1].Http.GetJsonAsync("/v1/sdk/group/channels/joined/list?show_unread=true");
            Assert.Equal(0, joined!["channels"]![0]!["unread"]!["u1"]!.GetValue<int>());
        }
        finally
        {
            await server.DisposeAsync();
            await ExternalServices.DropPostgresDatabaseAsync(db);
        }
    }

    [SkippableFact]
    public async Task Data_survives_a_restart_and_paging_works()
    {
        var (server, db) = (await StartAsync())!.Value;
        try
        {
            var alice = await server.SdkUserAsync("alice");
            for (var i = 0; i < 25; i++)
                await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = $"ch{i:D2}", name = $"room {i}" });
            await alice.Http.PostJsonAsync("/v1/sdk/group/channels/ch00/messages", new { type = "text", content = "kept" });

            await server.RestartAsync();

            var seen = new List<string>();
            string? next = null;
            do
            {
                var page = await alice.Http.GetJsonAsync("/v1/sdk/group/channels/joined/list?limit=10" + (next is null ? "" : "&next=" + next));
                seen.AddRange(page!["channels"]!.AsArray().Select(c => c!["channel_id"]!.GetValue<string>()));
                next = page["next"]?.GetValue<string>();
            } while (!string.IsNullOrEmpty(next));
            Assert.Equal(25, seen.Distinct().Count());

            var messages = await alice.Http.GetJsonAsync("/v1/sdk/group/channels/ch00/messages");
            Assert.Equal("kept", messages!["messages"]![0]!["content"]!.GetValue<string>());
        }
        finally
        {
            await server.DisposeAsync();
            await ExternalServices.DropPostgresDatabaseAsync(db);
        }
    }
}
