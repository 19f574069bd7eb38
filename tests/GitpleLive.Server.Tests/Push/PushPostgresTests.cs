using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests.Push;

/// <summary>
/// The push outbox on PostgreSQL with two nodes on one database, each running its dispatcher: the leases keep them apart,
/// so every device gets each message once.
/// </summary>
public class PushPostgresTests
{
    [SkippableFact]
    public async Task Two_nodes_dispatching_from_one_database_push_every_message_once()
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
            var settings = new Dictionary<string, string?>
            {
                ["GitpleLive:StorageProvider"] = "postgres",
                ["GitpleLive:ConnectionString"] = db,
                ["GitpleLive:Push:BatchSize"] = "2",
            };
            await using var world = await PushWorld.StartAsync(settings);
            settings["GitpleLive:DefaultAppId"] = world.Server.AppId;
            settings["GitpleLive:DefaultApiKey"] = world.Server.ApiKey;
            settings["GitpleLive:Push:PollInterval"] = "00:00:00.050";
            await using var second = await TestServer.StartAsync(settings);

            await world.ConfigureAsync(new { webhook = world.WebhookBlock });
            var sender = await world.UserAsync("snd", "android");
            var a = await world.UserAsync("aaa", "android");
            var b = await world.UserAsync("bbb", "ios");
            var channel = await world.ChannelAsync("Room", sender, a, b);
            const int messages = 20;
            for (var i = 0; i < messages; i++) await PushWorld.SendAsync(sender, channel, $"m{i}");

            var pushed = await world.Webhook.WaitForAsync(2 * messages);
            await world.DrainedAsync();
            await Task.Delay(500);
            var deliveries = world.Webhook.Accepted
                .Select(r => (r.Json["token"]!.GetValue<string>(), r.Json["body"]!.GetValue<string>())).ToList();
            Assert.Equal(2 * messages, deliveries.Count);
            Assert.Equal(deliveries.Count, deliveries.Distinct().Count());
            Assert.Equal(2 * messages, pushed.Count);
        }
        finally
        {
            await ExternalServices.DropPostgresDatabaseAsync(db);
        }
    }
}
