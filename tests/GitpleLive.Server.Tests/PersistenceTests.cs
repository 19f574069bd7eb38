using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>A restart on the same data keeps apps, users, channels, messages, files and tokens.</summary>
public class PersistenceTests
{
    [Fact]
    public async Task Restart_keeps_everything()
    {
        await using var server = await TestServer.StartAsync();
        await server.Platform.PutJsonAsync("/v1/app", new { max_meta_keys = 7, max_members_per_channel = 50 });
        using var alice = await server.SdkUserAsync("alice", "Alice");
        using var bob = await server.SdkUserAsync("bob", "Bob");
        using var carol = await server.SdkUserAsync("carol");
        await alice.Http.PutJsonAsync("/v1/sdk/users/alice/meta", new { meta = new { lang = "ko" } });
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "room", name = "Room", members = new[] { "bob" }, meta = new { topic = "t" } });
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels/room/managers", new { manager = "bob" });
        var m1 = await bob.SendTextAsync("room", "before restart");
        var bytes = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        var file = await alice.Http.PostJsonAsync("/v1/sdk/group/channels/room/messages", Api.FileForm(bytes, "keep.bin"));
        await alice.Http.PutJsonAsync("/v1/sdk/group/channels/room/messages/read");
        await bob.Http.PutJsonAsync("/v1/sdk/group/channels/room/messages/delivered");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels/room/ban", new { user_id = "carol", seconds = 3600, reason = "r" });
        await alice.Http.PutJsonAsync("/v1/sdk/group/channels/room/freeze", new { freeze = true });
        await bob.Http.PostJsonAsync("/v1/sdk/reports", new { report_type = "channel", channel_id = "room" });
        var beforeChannel = await alice.JoinedChannelAsync("room");
        var beforeHistory = (await alice.Http.GetJsonAsync("/v1/sdk/group/channels/room/messages"))!["messages"]!.AsArray();
        var beforeMe = await alice.Http.GetJsonAsync("/v1/sdk/users/info/me");
        var fileUrl = file!["file"].Str("url");
        var oldPort = server.Port;

        await server.RestartAsync();
        Assert.Equal(oldPort, server.Port);

        // The app: key and limits.
        var app = await server.Platform.GetJsonAsync("/v1/app");
        Assert.Equal(7, app.Long("max_meta_keys"));
        Assert.Equal(50, app.Long("max_members_per_channel"));
        // Tokens issued before the restart still work (same signing secret).
        Assert.Equal(beforeMe!.ToJsonString(), (await alice.Http.GetJsonAsync("/v1/sdk/users/info/me"))!.ToJsonString());
        using (var again = await server.SdkUserAsync("alice")) Assert.Equal("Alice", (await again.Http.GetJsonAsync("/v1/sdk/users/info/me")).Str("name"));
        // Channel, members, managers, receipts, unread, last message.
        var afterChannel = await alice.JoinedChannelAsync("room");
        Assert.Equal(WithoutFileUrl(beforeChannel), WithoutFileUrl(afterChannel));
        Assert.True(afterChannel["freeze"]!.GetValue<bool>());
        Assert.Equal(["alice", "bob"], afterChannel["managers"].Ids("user_id"));
        Assert.Equal(2, afterChannel.Long("total_message_count"));
        Assert.Equal(1, afterChannel.Long("total_file_count"));
        // Messages with their ids, and the file by its old link and a fresh one.
        var afterHistory = (await alice.Http.GetJsonAsync("/v1/sdk/group/channels/room/messages"))!["messages"]!.AsArray();
        Assert.Equal(beforeHistory.Select(m => m.Long("message_id")), afterHistory.Select(m => m.Long("message_id")));
        Assert.Equal("before restart", afterHistory[0].Str("content"));
        using var http = new HttpClient();
        Assert.Equal(bytes, await http.GetByteArrayAsync(fileUrl));
        Assert.Equal(bytes, await http.GetByteArrayAsync(afterHistory[1]!["file"].Str("url")));
        // Bans and reports.
        Assert.Equal(["carol"], (await alice.Http.GetJsonAsync("/v1/sdk/group/channels/room/banned_list"))!.AsArray().Select(b => b!["user"].Str("user_id")));
        await carol.Http.ExpectErrorAsync(HttpMethod.Put, "/v1/sdk/group/channels/room/join", null, 403, 1019);
        Assert.Single((await alice.Http.GetJsonAsync("/v1/sdk/reports/group/channels/room"))!["reports"]!.AsArray());
        // Ids keep increasing after the restart.
        var m3 = await alice.SendTextAsync("room", "after restart");
        Assert.True(m3.Long("message_id") > file.Long("message_id"));
        Assert.True(file.Long("message_id") > m1.Long("message_id"));
        // Limits set before the restart still apply.
        var many = Enumerable.Range(0, 8).ToDictionary(i => $"k{i}", _ => "v");
        await alice.Http.ExpectErrorAsync(HttpMethod.Put, "/v1/sdk/users/alice/meta", new { meta = many }, 400, 1014);
    }

    /// <summary>The JSON without the last message's file link, which is signed afresh on every read.</summary>
    private static string WithoutFileUrl(System.Text.Json.Nodes.JsonNode channel)
    {
        var copy = channel.DeepClone();
        copy["last_message"]!["file"]!.AsObject().Remove("url");
        return copy.ToJsonString();
    }

    [Fact]
    public async Task A_second_restart_and_deletions_persist_too()
    {
        await using var server = await TestServer.StartAsync();
        using var alice = await server.SdkUserAsync("alice");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "gone", name = "Gone" });
        var file = await alice.Http.PostJsonAsync("/v1/sdk/group/channels/gone/messages", Api.FileForm([1, 2, 3], "x.bin"));
        await server.CreateUserAsync("temp");
        await server.RestartAsync();
        await alice.Http.DeleteJsonAsync("/v1/sdk/group/channels/gone");
        await server.Platform.DeleteJsonAsync("/v1/users/temp");
        await server.RestartAsync();
        await alice.Http.ExpectErrorAsync(HttpMethod.Get, "/v1/sdk/group/channels/gone", null, 404, 1003);
        await server.Platform.ExpectErrorAsync(HttpMethod.Get, "/v1/users/temp", null, 404, 1004);
        using var http = new HttpClient();
        using var response = await http.GetAsync(file!["file"].Str("url"));
        Assert.Equal(404, (int)response.StatusCode);
    }
}
