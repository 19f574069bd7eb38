using System.Text;
using System.Text.Json;
using GitpleLive.Chat;
using GitpleLive.Protocol;
using GitpleLive.Server.Services;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests.Mobile;

/// <summary>
/// PROTOCOL §9: the Android 1.0.4 SDK's requests replayed in their exact shape (Volley headers and <c>{}</c> bodies,
/// OkHttp DELETE bodies, trailing slashes, raw queries, the HttpURLConnection upload), answers decoded strictly.
/// </summary>
public class AndroidReplayTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    private async Task<(MobileDevice Phone, SdkUser Other, string ChannelId)> ConnectedAsync()
    {
        var id = Api.NewId("and");
        await Server.CreateUserAsync(id, "Andy");
        var phone = new MobileDevice(Server, id, ios: false);
        await phone.ConnectAsync(await Server.SessionTokenAsync(id));
        var other = (await Server.NewUsersAsync("peer"))[0];
        var channelId = "ch_" + Guid.NewGuid().ToString("N")[..9];
        await phone.OkAsync(HttpMethod.Post, "/v1/sdk/group/channels/",
            $$"""{"channel_id":"{{channelId}}","name":"Room","members":["{{other.UserId}}"],"reuse":false}""");
        return (phone, other, channelId);
    }

    [Fact]
    public async Task Connect_walk_and_profile_calls_decode_strictly()
    {
        var (phone, _, channelId) = await ConnectedAsync();
        var walk = await phone.JoinedWalkAsync();
        var channel = Assert.Single(walk, c => c.GetProperty("channel_id").GetString() == channelId);
        Assert.Equal(phone.UserId, channel.GetProperty("managers")[0].GetProperty("user_id").GetString());

        // PUT /v1/sdk/users/ (trailing slash), a null profile omitted.
        var me = await phone.OkAsync(HttpMethod.Put, "/v1/sdk/users/", """{"name":"Andy Two"}""");
        StrictShapes.User(me);
        Assert.Equal("Andy Two", me.GetProperty("name").GetString());

        // List all with the SDK's flags, raw name value.
        var page = await phone.OkAsync(HttpMethod.Get, "/v1/sdk/group/channels/?limit=15&show_members=true&show_managers=true" +
            "&show_read_receipt=true&show_delivery_receipt=true&show_unread=true&show_last_message=true&name=Room");
        foreach (var c in page.GetProperty("channels").EnumerateArray()) StrictShapes.Channel(c);
        StrictShapes.Channel(await phone.OkAsync(HttpMethod.Get, "/v1/sdk/group/channels/"  + channelId));

        // Meta set, then OkHttp's DELETE with a body and its charset.
        await phone.OkAsync(HttpMethod.Put, $"/v1/sdk/users/{phone.UserId}/meta", """{"meta":{"k":"v"}}""");
        var afterDelete = await phone.OkAsync(HttpMethod.Delete, $"/v1/sdk/users/{phone.UserId}/meta", """{"keys":["k"]}""",
            "application/json; charset=utf-8");
        Assert.Equal(JsonValueKind.Object, afterDelete.ValueKind);
    }

    [Fact]
    public async Task Read_many_takes_channels_as_a_json_encoded_string()
    {
        var (phone, other, channelId) = await ConnectedAsync();
        await other.SendTextAsync(channelId, "hi");
        var before = await phone.OkAsync(HttpMethod.Get, $"/v1/sdk/group/channels/joined/list?show_unread=true&limit=15");
        Assert.Equal(1, before.GetProperty("channels")[0].GetProperty("unread").GetProperty(phone.UserId).GetInt32());
        await phone.OkAsync(HttpMethod.Put, "/v1/sdk/users/messages/read", $$"""{"channels":"[\"{{channelId}}\"]"}""");
        var after = await phone.OkAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{channelId}?show_unread=true");
        var joined = await phone.OkAsync(HttpMethod.Get, $"/v1/sdk/group/channels/joined/list?show_unread=true&limit=15");
        Assert.Equal(0, joined.GetProperty("channels")[0].GetProperty("unread").GetProperty(phone.UserId).GetInt32());
        StrictShapes.Channel(after);
        // A string that is not a JSON list is still a clear 400 naming the field.
        var bad = await phone.SendAsync(HttpMethod.Put, "/v1/sdk/users/messages/read", """{"channels":"a,b"}""");
        Assert.Equal(400, bad.Status);
        StrictShapes.Error(bad.Json, GitpleLiveErrorCode.InvalidParameters);
        Assert.Contains("channels", bad.Json.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Ban_with_seconds_zero_is_permanent_and_the_event_carries_banInfo()
    {
        var (phone, other, channelId) = await ConnectedAsync();
        var mark = Server.Mark();
        var ban = await phone.OkAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{channelId}/ban",
            $$"""{"user_id":"{{other.UserId}}","seconds":0}""");
        StrictShapes.Ban(ban);
        Assert.Equal(BanService.PermanentEndAt, ban.GetProperty("end_at").GetInt64());
        var listed = await phone.OkAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{channelId}/banned_list");
        StrictShapes.Ban(Assert.Single(listed.EnumerateArray()));
        // Still banned: joining is refused.
        var join = await other.Http.PutAsync($"/v1/sdk/group/channels/{channelId}/join", null);
        Assert.Equal(403, (int)join.StatusCode);

        var e = Server.Events.Since(mark).Single(EventCategories.ChannelBan);
        var payload = JsonDocument.Parse(e.PayloadBytes).RootElement;
        StrictShapes.Payload(payload, Server.AppId);
        Assert.Equal(payload.GetProperty("data").GetRawText(), payload.GetProperty("banInfo").GetRawText());
    }

    [Fact]
    public async Task Upload_in_the_android_shape_is_typed_named_and_answers_under_1024_bytes()
    {
        var (phone, _, channelId) = await ConnectedAsync();
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 2, 3];
        // A long, worst-case name with characters JSON encoders like to escape.
        var name = "Photo & <holiday> 'best' + more_" + new string('x', 120) + ".jpg";
        var answer = await phone.UploadAndroidAsync(channelId, "/storage/emulated/0/DCIM/Camera/" + name, jpeg);
        Assert.Equal(200, answer.Status);
        Assert.Equal(Encoding.UTF8.GetByteCount(answer.Text), answer.Response.Content.Headers.ContentLength); // not chunked
        var bytes = Encoding.UTF8.GetByteCount(answer.Text);
        Assert.True(bytes < 1024, $"the upload answer is {bytes} bytes; Android reads only 1,024");
        Assert.DoesNotContain("\\u", answer.Text);
        var m = answer.Json;
        StrictShapes.Message(m);
        var file = m.GetProperty("file");
        Assert.Equal(name, file.GetProperty("name").GetString());
        Assert.Equal("image/jpeg", file.GetProperty("type").GetString());
        Assert.EndsWith(Uri.EscapeDataString(name), file.GetProperty("url").GetString());
        Assert.EndsWith(".jpg", file.GetProperty("url").GetString()!.ToLowerInvariant());
        // The SDK then always sets meta, an empty map included, and returns that answer.
        var withMeta = await phone.OkAsync(HttpMethod.Put,
            $"/v1/sdk/group/channels/{channelId}/messages/{m.GetProperty("message_id").GetInt64()}/meta", """{"meta":{}}""");
        StrictShapes.Message(withMeta);
        using var anonymous = new HttpClient();
        Assert.Equal(jpeg, await anonymous.GetByteArrayAsync(file.GetProperty("url").GetString()));
    }

    [Fact]
    public async Task Refusals_answer_json_error_bodies_the_sdk_can_read()
    {
        var (phone, _, _) = await ConnectedAsync();
        var missing = await phone.SendAsync(HttpMethod.Get, "/v1/sdk/group/channels/nope_" + Guid.NewGuid().ToString("N")[..6]);
        Assert.Equal(404, missing.Status);
        StrictShapes.Error(missing.Json, GitpleLiveErrorCode.ChannelNotFound);
        // Unknown methods and bare refusals from below the endpoints (426 from /ws without an upgrade) still answer a
        // JSON error body: Android crashes on an empty one.
        var wrongMethod = await phone.SendAsync(HttpMethod.Patch, "/v1/sdk/users/info/me", "{}");
        StrictShapes.Error(wrongMethod.Json, GitpleLiveErrorCode.ResourceNotFound);
        var notUpgraded = await phone.SendAsync(HttpMethod.Get, "/ws");
        Assert.Equal(426, notUpgraded.Status);
        StrictShapes.Error(notUpgraded.Json, GitpleLiveErrorCode.InvalidParameters);
        phone.Token = "not-a-token";
        var refused = await phone.SendAsync(HttpMethod.Post, "/v1/sdk/users/token");
        Assert.Equal(401, refused.Status);
        StrictShapes.Error(refused.Json, GitpleLiveErrorCode.Unauthorized);
    }
}
