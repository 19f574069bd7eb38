using System.Collections.Concurrent;
using GitpleLive.Server.Storage;
using GitpleLive.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Server.Tests;

/// <summary>
/// Group commit (<see cref="StoreWriter"/>): writes that wait together share one transaction, and a refusal of one
/// of them rolls back that one only — sends of members beside refused sends of outsiders and refused meta changes,
/// read receipts beside them, on SQLite and on PostgreSQL.
/// </summary>
public class GroupCommitTests
{
    [Fact]
    public async Task Refused_writes_in_a_batch_roll_back_only_themselves_on_sqlite()
    {
        await using var server = await TestServer.StartAsync();
        await RefusalsStayAloneAsync(server, postgres: false);
    }

    [SkippableFact]
    public async Task Refused_writes_in_a_batch_roll_back_only_themselves_on_postgres()
    {
        var reason = await ExternalServices.PostgresUnavailableAsync();
        if (reason is not null)
        {
            Assert.False(ExternalServices.InCi, reason);
            Skip.If(true, reason);
        }
        var db = await ExternalServices.CreatePostgresDatabaseAsync();
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["GitpleLive:StorageProvider"] = "postgres", ["GitpleLive:ConnectionString"] = db,
        });
        await RefusalsStayAloneAsync(server, postgres: true);
    }

    private static async Task RefusalsStayAloneAsync(TestServer server, bool postgres)
    {
        const int each = 25;
        var members = await server.NewUsersAsync("m", "m", "m", "m");
        var outsiders = await server.NewUsersAsync("o", "o", "o", "o");
        var channel = await members[0].NewChannelAsync(members[1..]);
        var accepted = new ConcurrentBag<long>();
        var refused = 0;
        var metaRefused = 0;
        var sends = members.Select(u => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                accepted.Add((await u.SendTextAsync(channel, $"{u.UserId} {i}")).Long("message_id"));
                if (i % 5 == 0) await u.Http.PutJsonAsync($"/v1/sdk/group/channels/{channel}/messages/read");
            }
        }));
        var refusals = outsiders.Select(u => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                await u.Http.ExpectErrorAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{channel}/messages",
                    new { type = "text", content = "not a member" }, 403, 1008);
                Interlocked.Increment(ref refused);
                // A refused EF Core write in the same batches: meta of a message that does not exist.
                await u.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{channel}/messages/999999999/meta",
                    new { meta = new { k = "v" } }, 403, 1008);
                Interlocked.Increment(ref metaRefused);
            }
        }));
        await Task.WhenAll(sends.Concat(refusals));

        Assert.Equal(outsiders.Length * each, refused);
        Assert.Equal(outsiders.Length * each, metaRefused);
        Assert.Equal(members.Length * each, accepted.Distinct().Count());
        var c = await members[0].JoinedChannelAsync(channel);
        Assert.Equal(members.Length * each, c.Long("total_message_count"));
        Assert.Equal(accepted.Max(), c["last_message"].Long("message_id"));
        var history = new List<long>();
        long baseId = 0;
        while (true)
        {
            var page = (await members[0].Http.GetJsonAsync(
                $"/v1/sdk/group/channels/{channel}/messages?mode=next&base_message_id={baseId}&limit=100"))!["messages"]!.AsArray();
            if (page.Count == 0) break;
            history.AddRange(page.Select(m => m.Long("message_id")));
            baseId = history[^1];
        }
        Assert.Equal(accepted.Order(), history);
        // The writes did share transactions (with one request at a time there would be nothing to prove).
        var writer = server.Services.GetRequiredService<StoreWriter>();
        Assert.True(writer.LargestBatch > 1, "no batch held more than one write");
        // PostgreSQL: the batch's sends went out together (one round trip), refused ones among them.
        if (postgres) Assert.True(writer.LargestPipeline > 1, "no round trip carried more than one send");
        else Assert.Equal(0, writer.LargestPipeline);
    }
}
