using GitpleLive.Server.Events;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>PROTOCOL §5.5: reports.</summary>
public class ReportTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    private async Task<(SdkUser Alice, SdkUser Bob, SdkUser Carol, string Channel)> Setup()
    {
        var u = await Server.NewUsersAsync("alice", "bob", "carol");
        return (u[0], u[1], u[2], await u[0].NewChannelAsync(u[1]));
    }

    [Fact]
    public async Task Message_report_snapshots_the_message_and_tells_the_managers()
    {
        var (alice, bob, _, id) = await Setup();
        var m = await alice.SendTextAsync(id, "rude words");
        var mark = Server.Mark();
        var before = Api.NowMs;
        var report = await bob.Http.PostJsonAsync("/v1/sdk/reports", new
        {
            report_type = "message", report_category = "profanity", reason = "bad", channel_type = "group", channel_id = id, message_id = m.Long("message_id"),
        });
        Assert.False(string.IsNullOrEmpty(report.Str("report_id")));
        Assert.Equal("message", report.Str("report_type"));
        Assert.Equal("profanity", report.Str("report_category"));
        Assert.Equal("bad", report.Str("reason"));
        Assert.Equal(bob.UserId, report!["reporting_user"].Str("user_id"));
        Assert.Equal(alice.UserId, report["user"].Str("user_id"));
        Assert.Equal(id, report["channel"].Str("channel_id"));
        Assert.Equal("rude words", report["message"].Str("content"));
        Assert.InRange(report.Long("created_at"), before, Api.NowMs);

        var e = Server.Events.Since(mark).Single("group:report_create");
        var json = e.AssertEvent("group:report_create", EventTopicKind.ChannelManager, id, "channel", "data");
        Assert.Equal(report.Str("report_id"), json["data"].Str("report_id"));
        Assert.Equal(id, json["channel"].Str("channel_id"));

        // The snapshot outlives the message.
        await alice.Http.DeleteJsonAsync($"/v1/sdk/group/channels/{id}/messages/{m.Long("message_id")}");
        var listed = (await alice.Http.GetJsonAsync($"/v1/sdk/reports/group/channels/{id}"))!["reports"]!.AsArray().Single()!;
        Assert.Equal(report.Str("report_id"), listed.Str("report_id"));
        Assert.Equal("rude words", listed["message"].Str("content"));
        Assert.Equal(bob.UserId, listed["reporting_user"].Str("user_id"));
    }

    [Fact]
    public async Task User_and_channel_reports()
    {
        var (alice, bob, carol, id) = await Setup();
        var mark = Server.Mark();
        // A user report without a channel raises nothing; category defaults to general.
        var plain = await carol.Http.PostJsonAsync("/v1/sdk/reports", new { report_type = "user", user_id = bob.UserId });
        Assert.Equal("general", plain.Str("report_category"));
        Assert.Equal(bob.UserId, plain!["user"].Str("user_id"));
        Assert.False(plain.Has("channel"));
        Assert.False(plain.Has("reason"));
        Assert.Empty(Server.Events.Since(mark));
        // In a channel: the managers hear it.
        var inChannel = await bob.Http.PostJsonAsync("/v1/sdk/reports", new { report_type = "user", report_category = "spam", user_id = alice.UserId, channel_id = id });
        Assert.Equal(id, inChannel!["channel"].Str("channel_id"));
        var channelReport = await bob.Http.PostJsonAsync("/v1/sdk/reports", new { report_type = "channel", report_category = "etc", channel_id = id });
        Assert.Equal(id, channelReport!["channel"].Str("channel_id"));
        Assert.False(channelReport.Has("user"));
        var events = Server.Events.Since(mark);
        Assert.Equal(2, events.Count);
        Assert.All(events, e => e.AssertEvent("group:report_create", EventTopicKind.ChannelManager, id, "channel", "data"));
    }

    [Fact]
    public async Task Report_refusals()
    {
        var (alice, bob, carol, id) = await Setup();
        var m = await alice.SendTextAsync(id, "x");
        var mark = Server.Mark();
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, "/v1/sdk/reports", new { }, "report_type");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, "/v1/sdk/reports", new { report_type = "weather" }, "report_type");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, "/v1/sdk/reports", new { report_type = "user", user_id = alice.UserId, report_category = "mean" }, "report_category");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, "/v1/sdk/reports", new { report_type = "user" }, "user_id");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, "/v1/sdk/reports", new { report_type = "channel" }, "channel_id");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, "/v1/sdk/reports", new { report_type = "message", channel_id = id }, "message_id");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, "/v1/sdk/reports", new { report_type = "message", message_id = m.Long("message_id") }, "channel_id");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, "/v1/sdk/reports", new { report_type = "message", channel_id = id, message_id = "one" }, "message_id");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, "/v1/sdk/reports", new { report_type = "channel", channel_id = id, channel_type = "open" }, "channel_type");
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/reports", new { report_type = "user", user_id = Api.NewId("ghost") }, 404, 1004);
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/reports", new { report_type = "channel", channel_id = Api.NewId("none") }, 404, 1003);
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/reports", new { report_type = "message", channel_id = id, message_id = m.Long("message_id") + 100_000 }, 404, 1005);
        // Only members report what happens inside a channel.
        await carol.Http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/reports", new { report_type = "channel", channel_id = id }, 403, 1008);
        await carol.Http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/reports", new { report_type = "message", channel_id = id, message_id = m.Long("message_id") }, 403, 1008);
        Assert.Empty(Server.Events.Since(mark));
        Assert.Empty((await alice.Http.GetJsonAsync($"/v1/sdk/reports/group/channels/{id}"))!["reports"]!.AsArray());
    }

    [Fact]
    public async Task Channel_reports_page_newest_first_filter_by_type_and_are_for_managers()
    {
        var (alice, bob, carol, id) = await Setup();
        var m = await alice.SendTextAsync(id, "x");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            object body = (i % 2) switch
            {
                0 => new { report_type = "channel", channel_id = id, reason = $"r{i}" },
                _ => new { report_type = "message", channel_id = id, message_id = m.Long("message_id"), reason = $"r{i}" },
            };
            ids.Add((await bob.Http.PostJsonAsync("/v1/sdk/reports", body)).Str("report_id"));
        }
        var path = $"/v1/sdk/reports/group/channels/{id}";
        var seen = new List<string>();
        string? next = null;
        var pages = 0;
        do
        {
            var page = await alice.Http.GetJsonAsync($"{path}?limit=2" + (next is null ? "" : $"&next={Uri.EscapeDataString(next)}"));
            seen.AddRange(page!["reports"].Ids("report_id"));
            next = page["next"]?.GetValue<string>();
            pages++;
        }
        while (!string.IsNullOrEmpty(next));
        Assert.Equal(3, pages);
        Assert.Equal(ids.AsEnumerable().Reverse(), seen);
        var messageReports = (await alice.Http.GetJsonAsync($"{path}?report_type=message"))!["reports"]!.AsArray();
        Assert.Equal([ids[3], ids[1]], messageReports.Ids("report_id"));
        Assert.All(messageReports, r => Assert.Equal("message", r.Str("report_type")));

        await bob.Http.ExpectErrorAsync(HttpMethod.Get, path, null, 403, 3001);
        await carol.Http.ExpectErrorAsync(HttpMethod.Get, path, null, 403, 3001);
        await alice.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/reports/group/channels/{Api.NewId("none")}", null, 404, 1003);
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?report_type=weather", null, "report_type");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?limit=0", null, "limit");
        await alice.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?next=%25%25", null, "next");
    }

    [Fact]
    public async Task A_reported_file_message_lists_with_a_working_link()
    {
        var (alice, bob, _, id) = await Setup();
        var m = await alice.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/messages", Api.FileForm([4, 2], "evidence.bin"));
        await bob.Http.PostJsonAsync("/v1/sdk/reports", new { report_type = "message", channel_id = id, message_id = m.Long("message_id") });
        var listed = (await alice.Http.GetJsonAsync($"/v1/sdk/reports/group/channels/{id}"))!["reports"]![0]!;
        var url = listed["message"]!["file"].Str("url");
        Assert.True(Uri.TryCreate(url, UriKind.Absolute, out _), $"file url '{url}' is not absolute");
        using var http = new HttpClient();
        Assert.Equal([4, 2], await http.GetByteArrayAsync(url));
    }
}
