using System.Net.Http.Headers;
using System.Text;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>
/// Bad input never answers 500 and never leaves a half-written change: it is refused with 400 and
/// code 1001 (or the specific code) and a message naming what was wrong.
/// </summary>
public class BadInputTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    private async Task<(SdkUser User, string Channel, long MessageId)> Setup()
    {
        var u = (await Server.NewUsersAsync("bad"))[0];
        var id = await u.NewChannelAsync();
        return (u, id, (await u.SendTextAsync(id, "m")).Long("message_id"));
    }

    private static HttpContent Raw(byte[] bytes, string contentType = "application/json")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    [Fact]
    public async Task Malformed_and_non_object_json_bodies_are_1001()
    {
        var (u, id, _) = await Setup();
        const string path = "/v1/sdk/group/channels";
        foreach (var body in new[] { "{", "{\"channel_id\":", "{\"a\" 1}", "not json", "{'a':'b'}", "{\"a\":1,}" })
            await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, body, "JSON");
        foreach (var body in new[] { "[]", "[{\"channel_id\":\"x\",\"name\":\"y\"}]", "\"text\"", "42", "null", "true" })
            await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, body, "JSON object");
        // Invalid UTF-8 and lone surrogates.
        await u.Http.ExpectErrorAsync(HttpMethod.Post, path, Raw([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400, 1001);
        await u.Http.ExpectErrorAsync(HttpMethod.Put, "/v1/sdk/users", "{\"name\":\"\\ud800\"}", 400, 1001);
        await u.Http.ExpectErrorAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{id}/messages", "{\"content\":\"a\\udc00b\"}", 400, 1001);
        await u.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/users/{u.UserId}/meta", "{\"meta\":{\"\\ud800\":\"x\"}}", 400, 1001);
        // Too deep.
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new string('[', 40) + new string(']', 40), "JSON");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, "{\"meta\":" + string.Concat(Enumerable.Repeat("{\"a\":", 20)) + "1" + new string('}', 21), "JSON");
        // Bodies of every JSON route refuse non-objects the same way.
        await Server.Platform.ExpectInvalidAsync(HttpMethod.Post, "/v1/users", "[1]", "JSON object");
        await Server.Platform.ExpectInvalidAsync(HttpMethod.Put, "/v1/app", "[1]", "JSON object");
        await u.Http.ExpectInvalidAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/freeze", "[true]", "JSON object");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, "/v1/sdk/reports", "\"x\"", "JSON object");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{id}/messages", "[1]", "JSON object");
    }

    [Fact]
    public async Task Wrong_types_and_missing_fields_name_the_field()
    {
        var (u, id, _) = await Setup();
        const string path = "/v1/sdk/group/channels";
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { name = "x" }, "channel_id");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { channel_id = Api.NewId("c") }, "name");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { channel_id = (string?)null, name = "x" }, "channel_id");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { channel_id = 5, name = "x" }, "channel_id");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { channel_id = Api.NewId("c"), name = new[] { "x" } }, "name");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { channel_id = Api.NewId("c"), name = new string('n', 192) }, "name");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { channel_id = Api.NewId("c"), name = "" }, "name");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { channel_id = Api.NewId("c"), name = "x", profile_url = new string('p', 2049) }, "profile_url");
        await Server.Platform.ExpectInvalidAsync(HttpMethod.Post, "/v1/users", new { user_id = Api.NewId("u"), name = new string('n', 192) }, "name");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { channel_id = Api.NewId("c"), name = "x", members = "bob" }, "members");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { channel_id = Api.NewId("c"), name = "x", members = new[] { 1 } }, "members");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { channel_id = Api.NewId("c"), name = "x", reuse = "yes" }, "reuse");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { channel_id = Api.NewId("c"), name = "x", meta = "m" }, "meta");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { channel_id = Api.NewId("c"), name = "x", meta = new { a = new { b = "c" } } }, "meta.a");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { channel_id = Api.NewId("c"), name = "x", profile_url = 3 }, "profile_url");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new { channel_id = Api.NewId("c"), name = "x", members = Enumerable.Range(0, 1001).Select(i => $"u{i}").ToArray() }, "members");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{id}/ban", new { user_id = "x", seconds = 1e30 }, "seconds");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{id}/ban", new { user_id = "x", seconds = 10L * 366 * 24 * 3600 }, "seconds");
        await Server.Platform.ExpectInvalidAsync(HttpMethod.Post, "/v1/users/someone/token", new { expires_at = 1.5 }, "expires_at");
        // Nothing was created by any of them.
        Assert.Equal([id], (await u.Http.GetJsonAsync("/v1/sdk/group/channels/joined/list/all")).Ids("channel_id"));
    }

    [Fact]
    public async Task Ids_outside_the_documented_set_are_refused_in_bodies_and_routes()
    {
        var (u, id, _) = await Setup();
        string[] bad = ["", "a b", "a/b", "a:b", "a+b", "a#b", "a%b", "ä", "a\tb", "a?b", "a*b", ".", "..", new string('x', 129)];
        foreach (var b in bad)
        {
            await u.Http.ExpectInvalidAsync(HttpMethod.Post, "/v1/sdk/group/channels", new { channel_id = b, name = "x" }, "channel_id");
            await Server.Platform.ExpectInvalidAsync(HttpMethod.Post, "/v1/users", new { user_id = b, name = "x" }, "user_id");
        }
        // Every allowed character works, up to 128 of them.
        foreach (var good in new[] { "Az09_-.@x", new string('y', 128), "a.b@c-d_e", "...a" })
        {
            var channelId = good.Length == 128 ? good : good + Api.NewId("");
            await u.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = channelId, name = "ok" });
            Assert.Equal(channelId, (await u.ChannelAsync(channelId)).Str("channel_id"));
            await u.SendTextAsync(channelId, "routable");
        }
        foreach (var route in new[] { "a%20b", "a%3Ab", "a%2Bb", new string('x', 129), "%C3%A4" })
        {
            await u.Http.ExpectInvalidAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{route}", null, "channel_id");
            await u.Http.ExpectInvalidAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{route}/join", null, "channel_id");
            await u.Http.ExpectInvalidAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{id}/ban/{route}", null, "user_id");
            await Server.Platform.ExpectInvalidAsync(HttpMethod.Get, $"/v1/users/{route}", null, "user_id");
        }
    }

    [Fact]
    public async Task Message_ids_in_routes_must_be_positive_integers()
    {
        var (u, id, messageId) = await Setup();
        foreach (var bad in new[] { "abc", "1.5", "0", "-1", "99999999999999999999", "1e3", "0x10" })
        {
            await u.Http.ExpectInvalidAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{id}/messages/{bad}", null, "message_id");
            await u.Http.ExpectInvalidAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/messages/{bad}/meta", new { meta = new { a = "b" } }, "message_id");
            await u.Http.ExpectInvalidAsync(HttpMethod.Delete, $"/v1/sdk/group/channels/{id}/messages/{bad}/meta", new { keys = new[] { "a" } }, "message_id");
            await Server.Platform.ExpectInvalidAsync(HttpMethod.Delete, $"/v1/group/channels/{id}/messages/{bad}", null, "message_id");
        }
        Assert.Equal(1, (await u.ChannelAsync(id)).Long("total_message_count"));
        await u.Http.DeleteJsonAsync($"/v1/sdk/group/channels/{id}/messages/{messageId}");
    }

    [Fact]
    public async Task Oversized_json_bodies_are_refused()
    {
        var (u, id, _) = await Setup();
        var huge = "{\"content\":\"" + new string('x', 1024 * 1024 + 10) + "\"}";
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{id}/messages", huge, "body");
        // Without a Content-Length (chunked), the same.
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge)));
        chunked.Headers.ContentType = new("application/json");
        using (var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/sdk/group/channels/{id}/messages") { Content = chunked })
        {
            request.Headers.TransferEncodingChunked = true;
            using var response = await u.Http.SendAsync(request);
            Assert.Equal(400, (int)response.StatusCode);
            Assert.Contains("\"code\":1001", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(1, (await u.ChannelAsync(id)).Long("total_message_count"));
    }

    [Fact]
    public async Task Broken_multipart_is_1001()
    {
        var (u, id, _) = await Setup();
        var path = $"/v1/sdk/group/channels/{id}/messages";
        await u.Http.ExpectErrorAsync(HttpMethod.Post, path, Raw("--x\r\nContent-Disposition: form-data; name=\"type\"\r\n\r\nfile\r\n"u8.ToArray(), "multipart/form-data; boundary=x"), 400, 1001);
        await u.Http.ExpectErrorAsync(HttpMethod.Post, path, Raw("garbage"u8.ToArray(), "multipart/form-data; boundary=x"), 400, 1001);
        await u.Http.ExpectErrorAsync(HttpMethod.Post, path, Raw("garbage"u8.ToArray(), "multipart/form-data"), 400, 1001);
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new FormUrlEncodedContent([new("type", "file")]), "file");
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new FormUrlEncodedContent([new("type", "text"), new("content", "hi")]), "type");
        // The file part must be a file, not a plain field.
        await u.Http.ExpectInvalidAsync(HttpMethod.Post, path, new MultipartFormDataContent { { new StringContent("file"), "type" }, { new StringContent("not a file"), "file" } }, "file");
        Assert.Equal(1, (await u.ChannelAsync(id)).Long("total_message_count"));
    }

    [Fact]
    public async Task Query_parameters_are_checked()
    {
        var (u, id, _) = await Setup();
        foreach (var q in new[] { "limit=1e3", "limit=-5", "limit=2147483648", "show_unread=yes", "show_last_message=2" })
            await u.Http.ExpectInvalidAsync(HttpMethod.Get, $"/v1/sdk/group/channels?{q}", null, q.Split('=')[0]);
        await u.Http.ExpectInvalidAsync(HttpMethod.Get, $"/v1/sdk/group/channels?name={new string('n', 192)}", null, "name");
        await u.Http.ExpectInvalidAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}/messages?limit=5&limit=6", null, "limit");
        // Past the web server's request-line limit: 414, never a 500.
        using (var response = await u.Http.GetAsync($"/v1/sdk/group/channels/{id}/messages?content={new string('c', 10_001)}"))
            Assert.Equal(414, (int)response.StatusCode);
        await u.Http.ExpectInvalidAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}/messages?base_message_id=1.5", null, "base_message_id");
        // Cursors that decode but are not ours.
        var foreign = System.Buffers.Text.Base64Url.EncodeToString("no colon here"u8);
        await u.Http.ExpectInvalidAsync(HttpMethod.Get, $"/v1/sdk/group/channels?next={foreign}", null, "next");
        var notTime = System.Buffers.Text.Base64Url.EncodeToString("abc:def"u8);
        await u.Http.ExpectInvalidAsync(HttpMethod.Get, $"/v1/sdk/group/channels?next={notTime}", null, "next");
        // Empty values mean "not given".
        Assert.NotNull((await u.Http.GetJsonAsync("/v1/sdk/group/channels?limit=&show_members=&name=&next="))!["channels"]);
    }

    [Fact]
    public async Task No_route_answers_500_to_junk()
    {
        var (u, id, messageId) = await Setup();
        var other = (await Server.NewUsersAsync("junk"))[0];
        var c = id;
        (HttpMethod Method, string Path, bool Platform)[] routes =
        [
            (HttpMethod.Put, "/v1/sdk/users", false), (HttpMethod.Put, $"/v1/sdk/users/{u.UserId}/meta", false),
            (HttpMethod.Delete, $"/v1/sdk/users/{u.UserId}/meta", false), (HttpMethod.Put, "/v1/sdk/users/messages/read", false),
            (HttpMethod.Post, "/v1/sdk/users/token", false), (HttpMethod.Post, "/v1/sdk/users/token/by_client_id", false),
            (HttpMethod.Post, "/v1/sdk/group/channels", false), (HttpMethod.Put, $"/v1/sdk/group/channels/{c}", false),
            (HttpMethod.Post, $"/v1/sdk/group/channels/{c}/managers", false), (HttpMethod.Delete, $"/v1/sdk/group/channels/{c}/managers", false),
            (HttpMethod.Put, $"/v1/sdk/group/channels/{c}/freeze", false), (HttpMethod.Put, $"/v1/sdk/group/channels/{c}/meta", false),
            (HttpMethod.Delete, $"/v1/sdk/group/channels/{c}/meta", false), (HttpMethod.Post, $"/v1/sdk/group/channels/{c}/ban", false),
            (HttpMethod.Post, $"/v1/sdk/group/channels/{c}/messages", false),
            (HttpMethod.Put, $"/v1/sdk/group/channels/{c}/messages/{messageId}/meta", false),
            (HttpMethod.Delete, $"/v1/sdk/group/channels/{c}/messages/{messageId}/meta", false),
            (HttpMethod.Post, "/v1/sdk/reports", false),
            (HttpMethod.Put, "/v1/app", true), (HttpMethod.Post, "/v1/users", true), (HttpMethod.Put, $"/v1/users/{other.UserId}", true),
            (HttpMethod.Post, $"/v1/users/{other.UserId}/token", true), (HttpMethod.Post, "/v1/group/channels", true),
            (HttpMethod.Put, $"/v1/group/channels/{c}", true), (HttpMethod.Post, $"/v1/group/channels/{c}/members", true),
            (HttpMethod.Delete, $"/v1/group/channels/{c}/members", true), (HttpMethod.Post, $"/v1/group/channels/{c}/managers", true),
            (HttpMethod.Delete, $"/v1/group/channels/{c}/managers", true), (HttpMethod.Put, $"/v1/group/channels/{c}/freeze", true),
            (HttpMethod.Post, $"/v1/group/channels/{c}/messages", true), (HttpMethod.Post, $"/v1/group/channels/{c}/ban", true),
        ];
        Func<HttpContent>[] junk =
        [
            () => new StringContent("[]", Encoding.UTF8, "application/json"),
            () => new StringContent("{\"a\":", Encoding.UTF8, "application/json"),
            () => new StringContent("null", Encoding.UTF8, "application/json"),
            () => new StringContent("""{"channel_id":{},"name":[],"members":{},"meta":[],"user_id":1,"manager":[],"seconds":"x","freeze":1,"keys":{},"channels":1,"content":{},"type":5,"report_type":[],"expires_at":"x","max_file_size":-1,"clientId":{}}""", Encoding.UTF8, "application/json"),
            () => new StringContent("""{"channel_id":"\ud800","name":"\udfff","meta":{"k":"\ud800"},"keys":["\ud800"],"members":["\ud800"],"content":"\ud800"}""", Encoding.UTF8, "application/json"),
            () => Raw([0xff, 0xfe, 0x00, 0x7b]),
            () => Raw("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nxx"u8.ToArray(), "multipart/form-data; boundary=b"),
            () => Raw("a=%ZZ&b"u8.ToArray(), "application/x-www-form-urlencoded"),
            () => Raw("x"u8.ToArray(), "multipart/mixed; boundary=q"),
        ];
        var failures = new List<string>();
        foreach (var (method, path, platform) in routes)
            foreach (var body in junk)
            {
                using var request = new HttpRequestMessage(method, path) { Content = body() };
                if (path.StartsWith("/v1/sdk/users/token")) request.Headers.Authorization = new("Bearer", u.SdkToken);
                using var response = await (platform ? Server.Platform : u.Http).SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                // Some junk is a harmless object (the token call ignores its body); refusals must be 4xx in the error shape.
                if ((int)response.StatusCode >= 500 || ((int)response.StatusCode >= 400 && !text.Contains("\"code\":")))
                    failures.Add($"{method} {path} [{await body().ReadAsStringAsync()}] -> {(int)response.StatusCode} {text}");
            }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(1, (await u.ChannelAsync(id)).Long("total_message_count"));
    }

    [Fact]
    public async Task Unknown_routes_and_methods_answer_in_the_error_shape()
    {
        var (u, id, _) = await Setup();
        await u.Http.ExpectErrorAsync(HttpMethod.Get, "/v1/sdk/nothing/here", null, 404, 1002);
        await u.Http.ExpectErrorAsync(HttpMethod.Get, "/nothing", null, 404, 1002);
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/v1/sdk/group/channels/{id}") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        using var response = await u.Http.SendAsync(request);
        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Contains("\"code\":", await response.Content.ReadAsStringAsync());
    }
}
