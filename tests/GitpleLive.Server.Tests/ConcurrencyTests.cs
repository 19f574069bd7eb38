using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>Parallel callers: ids, counters, receipts and limits stay exact.</summary>
public class ConcurrencyTests(ConcurrencyTests.Fixture fx) : IClassFixture<ConcurrencyTests.Fixture>
{
    /// <summary>A server whose channels hold at most 10 members.</summary>
    public sealed class Fixture : ServerFixture
    {
        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            await Server.Platform.PutJsonAsync("/v1/app", new { max_members_per_channel = 10 });
        }
    }

    private TestServer Server => fx.Server;

    private static async Task<(int Status, JsonNode? Body)> Try(HttpClient http, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is HttpContent c) request.Content = c;
        else if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static async Task<List<JsonNode>> AllMessages(SdkUser user, string channelId)
    {
        var all = new List<JsonNode>();
        long baseId = 0;
        while (true)
        {
            var page = (await user.Http.GetJsonAsync($"/v1/sdk/group/channels/{channelId}/messages?mode=next&limit=100&base_message_id={baseId}"))!["messages"]!.AsArray();
            if (page.Count == 0) return all;
            all.AddRange(page.Select(m => m!));
            baseId = page[^1].Long("message_id");
        }
    }

    [Fact]
    public async Task Parallel_senders_events_are_published_in_message_id_order()
    {
        // Clients drop a live message whose id is not above the last they saw, so the server must
        // publish a channel's message events in id order even when sends race.
        const int senders = 8, each = 15;
        var users = await Server.NewUsersAsync([.. Enumerable.Repeat("o", senders)]);
        var id = await users[0].NewChannelAsync(users[1..]);
        await Task.WhenAll(users.Select(async u =>
        {
            for (var i = 0; i < each; i++) await u.SendTextAsync(id, $"{u.UserId} {i}");
        }));
        var published = Server.Events.Where(e => e.Category == "group:message_send" && e.TargetId == id)
            .Select(e => ((GitpleLive.Server.Api.MessageDto)e.Payload.Message!).MessageId).ToList();
        Assert.Equal(senders * each, published.Count);
        Assert.Equal(published.Order(), published);
    }

    [Fact]
    public async Task Parallel_senders_get_unique_increasing_ids_and_exact_counts()
    {
        const int senders = 6, each = 20;
        var users = await Server.NewUsersAsync([.. Enumerable.Repeat("s", senders), "reader"]);
        var reader = users[^1];
        var id = await reader.NewChannelAsync(users[..senders]);

        var sent = await Task.WhenAll(users[..senders].Select(async u =>
        {
            var ids = new List<long>();
            for (var i = 0; i < each; i++) ids.Add((await u.SendTextAsync(id, $"{u.UserId} {i}")).Long("message_id"));
            return (u.UserId, Ids: ids);
        }));

        // Each sender's own messages got increasing ids; all ids are unique.
        foreach (var (_, ids) in sent) Assert.Equal(ids.Order(), ids);
        var allSent = sent.SelectMany(s => s.Ids).ToList();
        Assert.Equal(senders * each, allSent.Distinct().Count());

        // History has every message once, ascending, created_at never going back.
        var history = await AllMessages(reader, id);
        Assert.Equal(allSent.Order(), history.Select(m => m.Long("message_id")));
        for (var i = 1; i < history.Count; i++) Assert.True(history[i].Long("created_at") >= history[i - 1].Long("created_at"));
        foreach (var (userId, ids) in sent)
            Assert.Equal(ids, history.Where(m => m["user"].Str("user_id") == userId).Select(m => m.Long("message_id")));

        var channel = await reader.JoinedChannelAsync(id);
        Assert.Equal(senders * each, channel.Long("total_message_count"));
        Assert.Equal(0, channel.Long("total_file_count"));
        Assert.Equal(allSent.Max(), channel["last_message"].Long("message_id"));
        Assert.Equal(senders * each, channel["unread"].Long(reader.UserId));
        foreach (var u in users[..senders]) Assert.Equal((senders - 1) * each, channel["unread"].Long(u.UserId));
        // One send event per message.
        Assert.Equal(senders * each, Server.Events.Where(e => e.Category == "group:message_send" && e.TargetId == id).Count);
    }

    [Fact]
    public async Task Parallel_sends_into_many_channels_keep_ids_unique_across_the_app()
    {
        var users = await Server.NewUsersAsync("a", "b", "c");
        var channels = new List<string>();
        for (var i = 0; i < 3; i++) channels.Add(await users[0].NewChannelAsync(users[1], users[2]));
        var results = await Task.WhenAll(channels.SelectMany(c => users.Select(async u =>
        {
            var ids = new List<long>();
            for (var i = 0; i < 10; i++) ids.Add((await u.SendTextAsync(c, "x")).Long("message_id"));
            return (Channel: c, Ids: ids);
        })));
        var all = results.SelectMany(r => r.Ids).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(all, x => Assert.InRange(x, 1, (1L << 53) - 1));
        foreach (var c in channels)
        {
            Assert.Equal(30, (await users[0].ChannelAsync(c)).Long("total_message_count"));
            Assert.Equal(results.Where(r => r.Channel == c).SelectMany(r => r.Ids).Order(), (await AllMessages(users[0], c)).Select(m => m.Long("message_id")));
        }
    }

    [Fact]
    public async Task Parallel_file_uploads_count_exactly()
    {
        var users = await Server.NewUsersAsync("f1", "f2", "f3", "f4");
        var id = await users[0].NewChannelAsync(users[1..]);
        var uploads = await Task.WhenAll(users.SelectMany(u => Enumerable.Range(0, 5).Select(async i =>
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes($"{u.UserId}/{i}");
            var m = await u.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/messages", Api.FileForm(bytes, $"{i}.txt", "text/plain"));
            return (Bytes: bytes, Message: m!);
        })));
        var channel = await users[0].ChannelAsync(id);
        Assert.Equal(20, channel.Long("total_file_count"));
        Assert.Equal(20, channel.Long("total_message_count"));
        Assert.Equal(20, uploads.Select(u => u.Message.Long("message_id")).Distinct().Count());
        using var http = new HttpClient();
        foreach (var (bytes, m) in uploads) Assert.Equal(bytes, await http.GetByteArrayAsync(m["file"].Str("url")));
    }

    [Fact]
    public async Task Parallel_reads_and_sends_keep_unread_and_receipts_exact()
    {
        const int n = 25;
        var u = await Server.NewUsersAsync("a", "b", "reader", "courier", "idle");
        var (a, b, reader, courier, idle) = (u[0], u[1], u[2], u[3], u[4]);
        var id = await a.NewChannelAsync(b, reader, courier, idle);
        var mark = Server.Mark();
        var start = Api.NowMs;
        var senders = new[] { a, b }.Select(async s => { for (var i = 0; i < n; i++) await s.SendTextAsync(id, $"{s.UserId}-{i}"); });
        var readerLoop = Task.Run(async () => { for (var i = 0; i < 15; i++) await reader.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/messages/read"); });
        var courierLoop = Task.Run(async () => { for (var i = 0; i < 15; i++) await courier.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/messages/delivered"); });
        await Task.WhenAll([.. senders, readerLoop, courierLoop]);
        var end = Api.NowMs;

        // Every read event shows the reader fully read at that moment, with a receipt in the window,
        // and receipts never go back.
        var reads = Server.Events.Since(mark).Where(e => e.Category == "group:channel_message_read_event" && e.TargetId == id)
            .Select(e => JsonNode.Parse(e.PayloadBytes)!["channel"]!).ToList();
        Assert.Equal(15, reads.Count);
        Assert.All(reads, c => Assert.Equal(0, c["unread"].Long(reader.UserId)));
        Assert.All(reads, c => Assert.InRange(c["read_receipt"].Long(reader.UserId), start, end));
        for (var i = 1; i < reads.Count; i++) Assert.True(reads[i]["read_receipt"].Long(reader.UserId) >= reads[i - 1]["read_receipt"].Long(reader.UserId));
        // The unread count of the others in each read event is exactly the channel's messages from others.
        Assert.All(reads, c => Assert.Equal(c.Long("total_message_count"), c["unread"].Long(idle.UserId)));

        var delivered = Server.Events.Since(mark).Where(e => e.Category == "group:channel_message_delivered_event" && e.TargetId == id)
            .Select(e => JsonNode.Parse(e.PayloadBytes)!["channel"]!["delivery_receipt"].Long(courier.UserId)).ToList();
        Assert.Equal(15, delivered.Count);
        Assert.Equal(delivered.Order(), delivered);
        Assert.All(delivered, d => Assert.InRange(d, start, end));

        var channel = await idle.JoinedChannelAsync(id);
        Assert.Equal(2 * n, channel.Long("total_message_count"));
        Assert.Equal(2 * n, channel["unread"].Long(idle.UserId));
        Assert.Equal(2 * n, channel["unread"].Long(courier.UserId));
        Assert.Equal(n, channel["unread"].Long(a.UserId));
        Assert.Equal(n, channel["unread"].Long(b.UserId));
        Assert.Equal(delivered[^1], channel["delivery_receipt"].Long(courier.UserId));
        Assert.Equal(reads[^1]["read_receipt"].Long(reader.UserId), channel["read_receipt"].Long(reader.UserId));
        Assert.Equal(0, channel["read_receipt"].Long(idle.UserId));
        // The reader's unread is exactly the messages sent after their last read.
        var lastReadTotal = reads[^1].Long("total_message_count");
        Assert.Equal(2 * n - lastReadTotal, channel["unread"].Long(reader.UserId));
        await reader.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/messages/read");
        Assert.Equal(0, (await idle.JoinedChannelAsync(id))["unread"].Long(reader.UserId));
    }

    [Fact]
    public async Task Parallel_joins_fill_a_channel_exactly_to_its_limit()
    {
        var owner = (await Server.NewUsersAsync("owner"))[0];
        var id = await owner.NewChannelAsync();
        var joiners = await Server.NewUsersAsync([.. Enumerable.Repeat("j", 14)]);
        var results = await Task.WhenAll(joiners.Select(j => Try(j.Http, HttpMethod.Put, $"/v1/sdk/group/channels/{id}/join")));
        Assert.Equal(9, results.Count(r => r.Status == 200));
        Assert.All(results.Where(r => r.Status != 200), r => Assert.Equal(1010, r.Body.Long("code")));
        Assert.Equal(10, (await owner.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/members"))!.AsArray().Count);
        Assert.Equal(9, Server.Events.Where(e => e.Category == "group:channel_join" && e.TargetId == id).Count);
    }

    [Fact]
    public async Task Parallel_duplicates_succeed_once()
    {
        var users = await Server.NewUsersAsync("a", "b");
        var (a, b) = (users[0], users[1]);

        // The same channel id created at once: one channel, the rest 1007.
        var channelId = Api.NewId("dup");
        var creates = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Try(a.Http, HttpMethod.Post, "/v1/sdk/group/channels", new { channel_id = channelId, name = "d" })));
        Assert.Single(creates, r => r.Status == 200);
        Assert.All(creates.Where(r => r.Status != 200), r => Assert.Equal(1007, r.Body.Long("code")));

        // The same user joining at once: one join, the rest 1006, one event.
        var joins = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Try(b.Http, HttpMethod.Put, $"/v1/sdk/group/channels/{channelId}/join")));
        Assert.Single(joins, r => r.Status == 200);
        Assert.All(joins.Where(r => r.Status != 200), r => Assert.Equal(1006, r.Body.Long("code")));
        Assert.Single(Server.Events.Where(e => e.Category == "group:channel_join" && e.TargetId == channelId));

        // The same message deleted at once: one delete, the rest 1005, the count down by one.
        await a.SendTextAsync(channelId, "keep");
        var m = await a.SendTextAsync(channelId, "delete me");
        var deletes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Try(a.Http, HttpMethod.Delete, $"/v1/sdk/group/channels/{channelId}/messages/{m.Long("message_id")}")));
        Assert.Single(deletes, r => r.Status == 200);
        Assert.All(deletes.Where(r => r.Status != 200), r => Assert.Equal(1005, r.Body.Long("code")));
        Assert.Equal(1, (await a.ChannelAsync(channelId)).Long("total_message_count"));

        // The same user id registered at once through the Platform API.
        var userId = Api.NewId("twin");
        var registrations = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Try(Server.Platform, HttpMethod.Post, "/v1/users", new { user_id = userId, name = "t" })));
        Assert.Single(registrations, r => r.Status == 200);
        Assert.All(registrations.Where(r => r.Status != 200), r => Assert.Equal(1007, r.Body.Long("code")));
    }

    [Fact]
    public async Task Parallel_meta_changes_lose_no_update()
    {
        var users = await Server.NewUsersAsync("m1", "m2", "m3", "m4");
        var id = await users[0].NewChannelAsync(users[1..]);
        var m = await users[0].SendTextAsync(id, "meta");
        await Task.WhenAll(users.Select(async (u, i) =>
        {
            await u.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/meta", new { meta = new Dictionary<string, string> { [$"c{i}"] = u.UserId } });
            await u.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/messages/{m.Long("message_id")}/meta", new { meta = new Dictionary<string, string> { [$"m{i}"] = u.UserId } });
        }));
        var channelMeta = (await users[0].ChannelAsync(id))["meta"]!.AsObject();
        Assert.Equal(["c0", "c1", "c2", "c3"], channelMeta.Select(p => p.Key).Order());
        var messageMeta = (await users[0].Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/messages"))!["messages"]![0]!["meta"]!.AsObject();
        Assert.Equal(["m0", "m1", "m2", "m3"], messageMeta.Select(p => p.Key).Order());
    }
}
