using System.Text.Json.Nodes;
using GitpleLive.Protocol;
using GitpleLive.Server.Events;
using GitpleLive.Server.Storage;
using GitpleLive.Server.Webhooks;
using GitpleLive.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Server.Tests.Webhooks;

/// <summary>
/// <c>webhook_inbox</c> (<see cref="WebhookInbox"/>): a batch's deliveries are split into rows of bounded size and come out
/// in order; deliveries queued by a server from before its rows became bytes (migration <c>WebhookInboxBytes</c>)
/// survive the upgrade, bodies unchanged, on both providers.
/// </summary>
public class WebhookInboxTests
{
    [Fact]
    public async Task A_large_batch_is_split_into_bounded_rows_and_expands_in_order()
    {
        var settings = WebhookTestKit.ShortSettings();
        settings["GitpleLive:Webhooks:EnableDispatcher"] = "false";
        await using var server = await TestServer.StartAsync(settings);
        await server.Platform.PutJsonAsync("/v1/app/webhooks", new { url = "http://127.0.0.1:9/hook", secret = WebhookTestKit.Secret });
        // One write raising 300 changes of about 1 KB each: one batch, about 300 KB of deliveries.
        const int count = 300;
        var filler = new string('x', 1000);
        var writer = server.Services.GetRequiredService<StoreWriter>();
        await writer.WriteAsync(_ => Task.FromResult(0), events: _ => Enumerable.Range(0, count).Select(i => new ChatEvent
        {
            AppId = server.AppId, TopicKind = EventTopicKind.User, TargetId = $"u{i}",
            Payload = new EventPayload(EventCategories.UserUpdate, User: new { user_id = $"u{i}", note = filler }),
        }).ToList());

        var store = server.Services.GetRequiredService<ChatStore>();
        var sizes = await store.ReadAsync(db => db.WebhookInbox.OrderBy(r => r.Id).Select(r => r.Rows.Length).ToListAsync());
        // Each row is closed at the first delivery that takes it past the chunk size: none on the large-object heap.
        Assert.True(sizes.Count >= 8, $"{sizes.Count} rows");
        Assert.All(sizes[..^1], size => Assert.InRange(size, WebhookInbox.Packer.ChunkBytes, WebhookInbox.Packer.ChunkBytes + 2000));
        Assert.InRange(sizes[^1], 1, WebhookInbox.Packer.ChunkBytes + 2000);
        var queued = await store.ReadAsync(db => WebhookInbox.UnexpandedAsync(db));
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"u{i}"), queued.Select(UserId));
        Assert.Equal(count, queued.Select(q => q.DeliveryId).Distinct().Count());
        Assert.All(queued, q => Assert.Equal(q.DeliveryId, JsonNode.Parse(q.Body)!["delivery_id"]!.GetValue<string>()));

        while (await writer.WriteAsync(WebhookInbox.ExpandAsync) > 0) { }
        var expanded = await store.ReadAsync(db => db.WebhookDeliveries.OrderBy(d => d.Id).ToListAsync());
        Assert.Equal(queued.Select(q => (q.DeliveryId, q.Body)), expanded.Select(d => (d.DeliveryId, d.Body)));
        Assert.Equal(0, await store.ReadAsync(db => db.WebhookInbox.CountAsync()));
    }

    private static string UserId(WebhookDeliveryRow row) => JsonNode.Parse(row.Body)!["user"]!["user_id"]!.GetValue<string>();

    // As the previous server wrote it: a JSON array of {d, c, k, s, t, b}, stored as text.
    private const string QueuedText = """
        [{"d":"0193aa","c":"group:message_send","k":"channel:group:c1","s":638000000000000000,"t":1764700000000,
        "b":{"delivery_id":"0193aa","timestamp":1764700000000,"category":"group:message_send","app_id":"a1","text":"héllo ✓"}}]
        """;

    [Fact]
    public async Task Sqlite_inbox_rows_queued_as_text_read_the_same_after_the_upgrade()
    {
        var file = Path.Combine(Path.GetTempPath(), "gitplelive-tests", "inbox-upgrade-" + Guid.NewGuid().ToString("N")[..8] + ".db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        try
        {
            var options = new DbContextOptionsBuilder<SqliteChatDbContext>().UseSqlite($"Data Source={file};Pooling=False").Options;
            await using var db = new SqliteChatDbContext(options);
            await AssertUpgradeKeepsQueuedAsync(db);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [SkippableFact]
    public async Task Postgres_inbox_rows_queued_as_text_read_the_same_after_the_upgrade()
    {
        var reason = await ExternalServices.PostgresUnavailableAsync();
        if (reason is not null)
        {
            Assert.False(ExternalServices.InCi, reason);
            Skip.If(true, reason);
        }
        var connection = await ExternalServices.CreatePostgresDatabaseAsync();
        try
        {
            var options = new DbContextOptionsBuilder<PostgresChatDbContext>().UseNpgsql(connection).Options;
            await using var db = new PostgresChatDbContext(options);
            await AssertUpgradeKeepsQueuedAsync(db);
        }
        finally
        {
            await ExternalServices.DropPostgresDatabaseAsync(connection);
        }
    }

    private static async Task AssertUpgradeKeepsQueuedAsync(ChatDbContext db)
    {
        var migrator = db.GetService<IMigrator>();
        await migrator.MigrateAsync("WebhookInbox");
        var text = QueuedText.ReplaceLineEndings("");
        await db.Database.ExecuteSqlAsync($"""INSERT INTO webhook_inbox ("AppId", "Rows", "CreatedAt") VALUES ('a1', {text}, 1)""");

        await migrator.MigrateAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        var queued = Assert.Single(await WebhookInbox.UnexpandedAsync(db));
        Assert.Equal(("0193aa", "a1", "group:message_send", "channel:group:c1"), (queued.DeliveryId, queued.AppId, queued.Category,
            queued.OrderKey));
        Assert.Equal((638000000000000000L, 1764700000000L), (queued.Stamp, queued.CreatedAt));
        Assert.Equal("""
            {"delivery_id":"0193aa","timestamp":1764700000000,"category":"group:message_send","app_id":"a1","text":"héllo ✓"}
            """, queued.Body);
        var row = await db.WebhookInbox.AsNoTracking().SingleAsync();
        Assert.Equal(text, System.Text.Encoding.UTF8.GetString(row.Rows));
    }
}
