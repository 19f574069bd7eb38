using System.Text;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>The per-app profanity filter: off by default, block (1020) or mask (with filter.origin_content).</summary>
public class ProfanityTests
{
    [Fact]
    public async Task Off_by_default_then_block_then_mask()
    {
        await using var server = await TestServer.StartAsync();
        var (alice, bob) = (await server.NewUsersAsync("pa", "pb")) is var u ? (u[0], u[1]) : default;
        var channel = await alice.NewChannelAsync(bob);
        var path = $"/v1/sdk/group/channels/{channel}/messages";

        // Off: anything goes, no filter field.
        var plain = await alice.SendTextAsync(channel, "what a darn day");
        Assert.Null(plain["filter"]);

        var settings = await server.Platform.PutJsonAsync("/v1/app", new { profanity_mode = "block", profanity_words = new[] { "darn", "heck" } });
        Assert.Equal("block", settings.Str("profanity_mode"));
        Assert.Equal(["darn", "heck"], settings!["profanity_words"]!.AsArray().Select(w => w!.GetValue<string>()));

        // Block: refused with 1020, nothing stored; whole words only, any case.
        var before = (await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{channel}")).Long("total_message_count");
        await alice.Http.ExpectErrorAsync(HttpMethod.Post, path, new { type = "text", content = "oh HECK no" }, 400, 1020);
        Assert.Equal(before, (await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{channel}")).Long("total_message_count"));
        var scunthorpe = await alice.SendTextAsync(channel, "darning socks is fine");
        Assert.Equal("darning socks is fine", scunthorpe.Str("content"));

        // Mask: stored starred, the original in filter.origin_content, and the event carries the same.
        await server.Platform.PutJsonAsync("/v1/app", new { profanity_mode = "mask" });
        var masked = await bob.SendTextAsync(channel, "Darn it, heck!");
        Assert.Equal("**** it, ****!", masked.Str("content"));
        Assert.Equal("Darn it, heck!", masked["filter"].Str("origin_content"));
        Assert.Equal(["profanity"], masked["filter"]!["type"]!.AsArray().Select(t => t!.GetValue<string>()));
        var evt = server.Events.Where(e => e.Category == "group:message_send").Last();
        Assert.Contains("\"origin_content\":\"Darn it, heck!\"", Encoding.UTF8.GetString(evt.PayloadBytes));
        var history = (await alice.Http.GetJsonAsync($"{path}?limit=1"))!["messages"]!.AsArray();
        Assert.Equal("**** it, ****!", history[0].Str("content"));

        // The app's backend is trusted: Platform sends are not filtered.
        var platform = await server.Platform.PostJsonAsync($"/v1/group/channels/{channel}/messages", new { user_id = alice.UserId, type = "text", content = "darn" });
        Assert.Equal("darn", platform.Str("content"));
    }

    [Fact]
    public async Task Bad_settings_are_refused_naming_the_field()
    {
        await using var server = await TestServer.StartAsync();
        Assert.Contains("profanity_mode", await server.Platform.ExpectErrorAsync(HttpMethod.Put, "/v1/app", new { profanity_mode = "loud" }, 400, 1001));
        Assert.Contains("profanity_words", await server.Platform.ExpectErrorAsync(HttpMethod.Put, "/v1/app", new { profanity_words = new object[] { 1 } }, 400, 1001));
        Assert.Contains("profanity_words", await server.Platform.ExpectErrorAsync(HttpMethod.Put, "/v1/app", new { profanity_words = new[] { "  " } }, 400, 1001));
    }
}
