using System.Text;
using System.Text.Json;
using GitpleLive.Chat;
using GitpleLive.Protocol;
using GitpleLive.Server.Services;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests.Mobile;

/// <summary>
/// PROTOCOL §9: the iOS 1.0.3 SDK's requests replayed in their exact shape (Content-Type on every call, no body on
/// token/join/read, pretty-printed JSON, <c>base_message_id=/N</c>, both update fields always, Alamofire uploads),
/// answers and event payloads decoded as strictly as its Codable models do.
/// </summary>
public class IosReplayTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    private static string Pretty(object body) => JsonSerializer.Serialize(body, new JsonSerializerOptions { WriteIndented = true });

    private async Task<(MobileDevice Phone, SdkUser Other, string ChannelId)> ConnectedAsync()
    {
        var id = Api.NewId("ios");
        await Server.CreateUserAsync(id, "Izzy");
        var phone = new MobileDevice(Server, id, ios: true);
        await phone.ConnectAsync(await Server.SessionTokenAsync(id));
        var other = (await Server.NewUsersAsync("peer"))[0];
        var channelId = "ch_" + Guid.NewGuid().ToString("N")[..9];
        await phone.OkAsync(HttpMethod.Post, "/v1/sdk/group/channels/",
            Pretty(new { channel_id = channelId, name = "Room", members = new[] { other.UserId }, reuse = false }));
        return (phone, other, channelId);
    }

    [Fact]
    public async Task Updates_with_an_empty_name_keep_the_name()
    {
        var (phone, _, channelId) = await ConnectedAsync();
        var me = await phone.OkAsync(HttpMethod.Put, "/v1/sdk/users/", Pretty(new { name = "", profile_url = "" }));
        StrictShapes.User(me);
        Assert.Equal("Izzy", me.GetProperty("name").GetString());
        Assert.False(me.TryGetProperty("profile_url", out _), "profile_url \"\" clears the picture; it is not sent back as \"\"");
        var channel = await phone.OkAsync(HttpMethod.Put, "/v1/sdk/group/channels/" + channelId,
            Pretty(new { name = "", profile_url = "" }));
        StrictShapes.Channel(channel);
        Assert.Equal("Room", channel.GetProperty("name").GetString());
        var renamed = await phone.OkAsync(HttpMethod.Put, "/v1/sdk/group/channels/" + channelId,
            Pretty(new { name = "Lobby", profile_url = "" }));
        Assert.Equal("Lobby", renamed.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Load_older_messages_with_a_leading_slash_and_an_unclamped_limit()
    {
        var (phone, other, channelId) = await ConnectedAsync();
        var ids = new List<long>();
        for (var i = 0; i < 4; i++) ids.Add((await other.SendTextAsync(channelId, "m" + i)).Long("message_id"));
        // iOS adds channel_id to a send.
        var sent = await phone.OkAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{channelId}/messages",
            Pretty(new { channel_id = channelId, type = "text", content = "héllo 👋" }));
        StrictShapes.Message(sent);
        var page = await phone.OkAsync(HttpMethod.Get,
            $"/v1/sdk/group/channels/{channelId}/messages?base_message_id=/{ids[3]}&mode=prev&limit=500");
        var got = page.GetProperty("messages").EnumerateArray().Select(m =>
        {
            StrictShapes.Message(m);
            return m.GetProperty("message_id").GetInt64();
        }).ToList();
        Assert.Equal(ids.Take(3).Order(), got.Order());
        // A bad value is still refused, naming the parameter.
        var bad = await phone.SendAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{channelId}/messages?base_message_id=/x");
        Assert.Equal(400, bad.Status);
        StrictShapes.Error(bad.Json, GitpleLiveErrorCode.InvalidParameters);
        Assert.Contains("base_message_id", bad.Json.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Body_less_calls_and_a_ban_without_seconds()
    {
        var (phone, other, channelId) = await ConnectedAsync();
        var third = (await Server.NewUsersAsync("third"))[0];
        var joiner = new MobileDevice(Server, third.UserId, ios: true) { Token = third.SdkToken };
        await joiner.OkAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{channelId}/join");
        await joiner.OkAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{channelId}/messages/read");
        await joiner.OkAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{channelId}/messages/delivered");
        var online = await joiner.OkAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{channelId}/online_members");
        Assert.All(online.EnumerateArray(), u => Assert.Equal(JsonValueKind.String, u.ValueKind));
        await joiner.OkAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{channelId}/leave");

        var mark = Server.Mark();
        var ban = await phone.OkAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{channelId}/ban",
            Pretty(new { user_id = other.UserId }));
        StrictShapes.Ban(ban);
        Assert.Equal(BanService.PermanentEndAt, ban.GetProperty("end_at").GetInt64());
        await phone.OkAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{channelId}/ban/{other.UserId}");
        foreach (var e in Server.Events.Since(mark))
            StrictShapes.Payload(JsonDocument.Parse(e.PayloadBytes).RootElement, Server.AppId);
        Assert.Contains(Server.Events.Since(mark), e => e.Category == EventCategories.ChannelBan);
    }

    [Fact]
    public async Task Upload_in_the_alamofire_shape_decodes_as_a_message()
    {
        var (phone, _, channelId) = await ConnectedAsync();
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        var answer = await phone.UploadIosAsync(channelId, "photos/Beach Día.PNG", png);
        Assert.Equal(200, answer.Status);
        var m = answer.Json;
        StrictShapes.Message(m);
        var file = m.GetProperty("file");
        Assert.Equal("Beach Día.PNG", file.GetProperty("name").GetString());
        Assert.Equal("image/png", file.GetProperty("type").GetString());
        Assert.EndsWith(".PNG", file.GetProperty("url").GetString()); // iOS compares case-sensitively
        Assert.DoesNotContain("\\u", answer.Text);
        using var anonymous = new HttpClient();
        using var fetched = await anonymous.GetAsync(file.GetProperty("url").GetString());
        Assert.Equal(200, (int)fetched.StatusCode);
        Assert.Equal("image/png", fetched.Content.Headers.ContentType!.MediaType);
        Assert.Equal(png, await fetched.Content.ReadAsByteArrayAsync());
        // Unknown bytes and extension stay generic; a known extension wins for unknown bytes.
        var doc = (await phone.UploadIosAsync(channelId, "notes.pdf", Encoding.ASCII.GetBytes("no magic here"))).Json;
        Assert.Equal("application/pdf", doc.GetProperty("file").GetProperty("type").GetString());
        var blob = (await phone.UploadIosAsync(channelId, "blob", [1, 2, 3])).Json;
        Assert.Equal("application/octet-stream", blob.GetProperty("file").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Every_error_decodes_as_the_ios_ResponseError()
    {
        var (phone, other, channelId) = await ConnectedAsync();
        var notManager = new MobileDevice(Server, other.UserId, ios: true) { Token = other.SdkToken };
        var refused = await notManager.SendAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{channelId}/freeze",
            Pretty(new { freeze = true }));
        Assert.Equal(403, refused.Status);
        StrictShapes.Error(refused.Json, GitpleLiveErrorCode.NoPermission);
        var unknown = await phone.SendAsync(HttpMethod.Get, "/v1/sdk/nothing/here");
        StrictShapes.Error(unknown.Json, GitpleLiveErrorCode.ResourceNotFound);
    }
}
