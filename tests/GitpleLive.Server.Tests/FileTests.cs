using System.Text;
using GitpleLive.Server.Events;
using GitpleLive.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace GitpleLive.Server.Tests;

/// <summary>PROTOCOL §5.4: file messages and their signed links.</summary>
public class FileTests(ServerFixture fx) : IClassFixture<ServerFixture>
{
    private TestServer Server => fx.Server;

    private async Task<(SdkUser Alice, SdkUser Bob, SdkUser Carol, string Channel)> Setup()
    {
        var u = await Server.NewUsersAsync("alice", "bob", "carol");
        return (u[0], u[1], u[2], await u[0].NewChannelAsync(u[1]));
    }

    private static readonly HttpClient Anonymous = new();

    private string FilesOf(string channelId) => Path.Combine(Server.DataDirectory, "files", Server.AppId, channelId);

    /// <summary>A segment of a link <c>…/v1/files/{key}/{exp}/{sig}/{type}/{name}</c>, counted from the end (1 = name).</summary>
    private static string LinkPart(string url, int fromEnd)
    {
        var segments = new Uri(url).AbsolutePath.Split('/');
        return segments[^fromEnd];
    }

    private static int FileCount(string dir) => Directory.Exists(dir) ? Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Length : 0;

    [Fact]
    public async Task Upload_answers_a_file_message_whose_url_loads_without_headers()
    {
        var (alice, bob, _, id) = await Setup();
        var bytes = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7)).ToArray();
        var mark = Server.Mark();
        var m = await bob.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/messages", Api.FileForm(bytes, "photo.png", "image/png", meta: """{"w":"640"}"""));
        Assert.Equal("file", m.Str("type"));
        Assert.False(m.Has("content"));
        Assert.Equal("640", m!["meta"].Str("w"));
        var file = m["file"]!;
        Assert.Equal("image/png", file.Str("type"));
        Assert.Equal("photo.png", file.Str("name"));
        Assert.Equal(bytes.Length, file.Long("size"));
        var url = new Uri(file.Str("url"));
        Assert.True(url.IsAbsoluteUri);
        Assert.Equal(Server.Port, url.Port);

        using var response = await Anonymous.GetAsync(url);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());

        var json = Server.Events.Since(mark).Single("group:message_send").AssertEvent("group:message_send", EventTopicKind.ChannelAll, id, "channel", "message");
        Assert.Equal("photo.png", json["message"]!["file"].Str("name"));
        Assert.Equal(1, json["channel"].Long("total_file_count"));

        var channel = await alice.JoinedChannelAsync(id);
        Assert.Equal(1, channel.Long("total_file_count"));
        Assert.Equal(1, channel.Long("total_message_count"));
        Assert.Equal("file", channel["last_message"].Str("type"));

        // History carries a fresh, working link; the type filter finds it.
        var listed = (await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/messages?type=file"))!["messages"]!.AsArray().Single()!;
        Assert.Equal(m.Long("message_id"), listed.Long("message_id"));
        Assert.Equal(bytes, await Anonymous.GetByteArrayAsync(listed["file"].Str("url")));
        Assert.Empty((await alice.Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/messages?type=text"))!["messages"]!.AsArray());
    }

    [Fact]
    public async Task Names_are_kept_without_paths_and_unusual_characters_survive_the_link()
    {
        var (_, bob, _, id) = await Setup();
        var bytes = Encoding.UTF8.GetBytes("plain text");
        var m = await bob.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/messages", Api.FileForm(bytes, "../../héllo wörld & co.txt", "text/plain"));
        Assert.Equal("héllo wörld & co.txt", m!["file"].Str("name"));
        Assert.Equal(bytes, await Anonymous.GetByteArrayAsync(m["file"].Str("url")));
        // No part content type: octet-stream.
        var form = new MultipartFormDataContent { { new StringContent("file"), "type" }, { new ByteArrayContent([1, 2, 3]), "file", "raw.bin" } };
        var raw = await bob.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/messages", form);
        Assert.Equal("application/octet-stream", raw!["file"].Str("type"));
        Assert.Equal(3, raw["file"].Long("size"));
    }

    [Fact]
    public async Task Uploads_a_browser_would_run_are_sandboxed_attachments()
    {
        var (_, bob, _, id) = await Setup();
        var page = Encoding.UTF8.GetBytes("<html><script>alert(document.cookie)</script></html>");
        var svg = Encoding.UTF8.GetBytes("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>");
        foreach (var (bytes, name, type) in new[] { (page, "page.html", "text/html"), (svg, "x.svg", "image/svg+xml"),
                     (page, "page.xhtml", "application/xhtml+xml") })
        {
            var m = await bob.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/messages", Api.FileForm(bytes, name, type));
            using var response = await Anonymous.GetAsync(m!["file"].Str("url"));
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal(bytes, await response.Content.ReadAsByteArrayAsync());
            Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
            Assert.Contains("sandbox", string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
        }
        // An image stays an image: no sandbox, still typed.
        var png = await bob.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/messages", Api.FileForm([137, 80, 78, 71], "a.png", "image/png"));
        using var image = await Anonymous.GetAsync(png!["file"].Str("url"));
        Assert.Equal("image/png", image.Content.Headers.ContentType!.MediaType);
        Assert.False(image.Headers.Contains("Content-Security-Policy"));
        Assert.Equal(["nosniff"], image.Headers.GetValues("X-Content-Type-Options"));
    }

    [Fact]
    public async Task Tampered_links_are_refused()
    {
        var (_, bob, _, id) = await Setup();
        var m = await bob.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/messages", Api.FileForm([1, 2, 3], "a.bin"));
        var url = m!["file"].Str("url");
        Assert.EndsWith("/a.bin", url);
        var sig = LinkPart(url, 3);
        var exp = LinkPart(url, 4);
        var type = LinkPart(url, 2);
        string[] bad =
        [
            url.Replace("/" + sig + "/", "/" + (sig[0] == 'a' ? 'b' : 'a') + sig[1..] + "/"),
            url.Replace("/" + sig + "/", "//"),
            url.Replace("/" + sig + "/", "/"),
            url.Replace("/" + exp + "/", "/" + (long.Parse(exp) + 1000) + "/"),
            url.Replace("/" + exp + "/", "/soon/"),
            url[..^"a.bin".Length] + "b.bin",
            url.Replace("/" + type + "/", "/" + System.Buffers.Text.Base64Url.EncodeToString("text/html"u8) + "/"),
            url.Replace("/" + type + "/", "/!!/"),
        ];
        foreach (var u in bad)
        {
            Assert.NotEqual(url, u);
            using var response = await Anonymous.GetAsync(u);
            Assert.True((int)response.StatusCode == 403, $"{u} answered {(int)response.StatusCode}");
            Assert.Contains("\"code\":3001", await response.Content.ReadAsStringAsync());
        }
        // Another file's key with this signature.
        var other = await bob.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/messages", Api.FileForm([9], "a.bin"));
        var otherUrl = other!["file"].Str("url");
        var otherKey = otherUrl[..otherUrl.IndexOf("/" + LinkPart(otherUrl, 4) + "/", StringComparison.Ordinal)];
        var thisKey = url[..url.IndexOf("/" + exp + "/", StringComparison.Ordinal)];
        using (var response = await Anonymous.GetAsync(otherKey + url[thisKey.Length..]))
            Assert.Equal(403, (int)response.StatusCode);
        // The untouched link still works.
        Assert.Equal([1, 2, 3], await Anonymous.GetByteArrayAsync(url));
    }

    [Fact]
    public async Task Links_never_come_from_the_request_headers_and_old_style_links_still_open()
    {
        var (_, bob, _, id) = await Setup();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/sdk/group/channels/{id}/messages")
        {
            Content = Api.FileForm([4, 5], "evil.png", "image/png"),
        };
        request.Headers.Host = "evil.example";
        request.Headers.Add("X-Forwarded-Host", "evil2.example");
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var response = await bob.Http.SendAsync(request);
        var url = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["file"].Str("url");
        Assert.StartsWith(Server.BaseUrl + "/v1/files/", url);
        Assert.EndsWith("/evil.png", url);

        // A link of the earlier shape (grant in the query) opens while it is valid.
        var key = url[(Server.BaseUrl + "/v1/files/").Length..url.IndexOf("/" + LinkPart(url, 4) + "/", StringComparison.Ordinal)];
        var exp = Api.NowMs + 60_000;
        var sig = Server.Services.GetRequiredService<Services.FileUrlKey>().Sign(key, "evil.png", "image/png", exp);
        var old = $"{Server.BaseUrl}/v1/files/{key}?name=evil.png&type=image%2Fpng&exp={exp}&sig={sig}";
        using var opened = await Anonymous.GetAsync(old);
        Assert.Equal(200, (int)opened.StatusCode);
        Assert.Equal("image/png", opened.Content.Headers.ContentType!.MediaType);
        using var forged = await Anonymous.GetAsync(old.Replace("name=evil.png", "name=x.png"));
        Assert.Equal(403, (int)forged.StatusCode);
    }

    [Fact]
    public async Task Links_use_the_public_base_url_when_it_is_set()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["GitpleLive:PublicBaseUrl"] = "https://chat.example.com/",
        });
        using var alice = await server.SdkUserAsync("alice");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "c", name = "c" });
        var m = await alice.Http.PostJsonAsync("/v1/sdk/group/channels/c/messages", Api.FileForm([1], "Ünïcode 100%.JPG"));
        var url = m!["file"].Str("url");
        Assert.StartsWith("https://chat.example.com/v1/files/", url);
        Assert.EndsWith("/" + Uri.EscapeDataString("Ünïcode 100%.JPG"), url);
        Assert.Equal([1], await Anonymous.GetByteArrayAsync(server.BaseUrl + new Uri(url).PathAndQuery));
    }

    [Fact]
    public async Task Upload_refusals_store_nothing()
    {
        var (alice, bob, carol, id) = await Setup();
        var path = $"/v1/sdk/group/channels/{id}/messages";
        var mark = Server.Mark();
        await carol.Http.ExpectErrorAsync(HttpMethod.Post, path, Api.FileForm([1, 2, 3], "a.bin"), 403, 1008);
        await bob.Http.ExpectErrorAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{Api.NewId("none")}/messages", Api.FileForm([1], "a.bin"), 404, 1003);
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, new MultipartFormDataContent { { new StringContent("file"), "type" } }, "file");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, new MultipartFormDataContent { { new ByteArrayContent([1]), "file", "a.bin" } }, "type");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, Api.FileForm([1], "a.bin", type: "text"), "type");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, Api.FileForm([1], "a.bin", meta: "[1,2]"), "meta");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, Api.FileForm([1], "a.bin", meta: "{broken"), "meta");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, Api.FileForm([1], "a.bin", meta: """{"n":1}"""), "meta.n");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Post, path, Api.FileForm([1], new string('n', 256) + ".bin"), "file name");
        Assert.Empty(Server.Events.Since(mark));
        var channel = await alice.ChannelAsync(id);
        Assert.Equal(0, channel.Long("total_file_count"));
        Assert.Equal(0, channel.Long("total_message_count"));
        Assert.Equal(0, FileCount(FilesOf(id)));
    }

    [Fact]
    public async Task Deleting_the_message_or_the_channel_deletes_the_bytes()
    {
        var (alice, bob, _, id) = await Setup();
        var m1 = await bob.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/messages", Api.FileForm([1, 2], "one.bin"));
        var m2 = await bob.Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/messages", Api.FileForm([3, 4], "two.bin"));
        Assert.Equal(2, FileCount(FilesOf(id)));
        await bob.Http.DeleteJsonAsync($"/v1/sdk/group/channels/{id}/messages/{m1.Long("message_id")}");
        Assert.Equal(1, FileCount(FilesOf(id)));
        Assert.Equal(1, (await alice.ChannelAsync(id)).Long("total_file_count"));
        using (var gone = await Anonymous.GetAsync(m1!["file"].Str("url")))
            Assert.Equal(404, (int)gone.StatusCode);
        await alice.Http.DeleteJsonAsync($"/v1/sdk/group/channels/{id}");
        Assert.Equal(0, FileCount(FilesOf(id)));
        using (var gone = await Anonymous.GetAsync(m2!["file"].Str("url")))
            Assert.Equal(404, (int)gone.StatusCode);
    }

    /// <summary>The one link expiry on the real clock; <see cref="Links_expire_at_exp"/> moves a fake clock on.</summary>
    [Fact]
    public async Task Links_expire_in_real_time()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["GitpleLive:FileUrlLifetime"] = "00:00:01" });
        using var alice = await server.SdkUserAsync("alice");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "c", name = "c" });
        var m = await alice.Http.PostJsonAsync("/v1/sdk/group/channels/c/messages", Api.FileForm([5, 6, 7], "x.bin"));
        var url = m!["file"].Str("url");
        var exp = long.Parse(LinkPart(url, 4));
        Assert.InRange(exp - Api.NowMs, 0, 1100);
        Assert.Equal([5, 6, 7], await Anonymous.GetByteArrayAsync(url));
        var wait = exp - Api.NowMs + 100;
        if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait));
        using (var expired = await Anonymous.GetAsync(url))
            Assert.Equal(403, (int)expired.StatusCode);
        // A member gets a fresh link from history.
        var fresh = (await alice.Http.GetJsonAsync("/v1/sdk/group/channels/c/messages"))!["messages"]![0]!["file"].Str("url");
        Assert.Equal([5, 6, 7], await Anonymous.GetByteArrayAsync(fresh));
    }

    [Fact]
    public async Task Links_expire_at_exp()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["GitpleLive:FileUrlLifetime"] = "00:00:01" }, time: clock);
        using var alice = await server.SdkUserAsync("alice");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "c", name = "c" });
        var m = await alice.Http.PostJsonAsync("/v1/sdk/group/channels/c/messages", Api.FileForm([5, 6, 7], "x.bin"));
        var url = m!["file"].Str("url");
        var exp = long.Parse(LinkPart(url, 4));
        Assert.Equal(clock.GetUtcNow().ToUnixTimeMilliseconds() + 1000, exp);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal([5, 6, 7], await Anonymous.GetByteArrayAsync(url));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        using (var expired = await Anonymous.GetAsync(url))
            Assert.Equal(403, (int)expired.StatusCode);
        // A member gets a fresh link from history, valid for the lifetime from now.
        var fresh = (await alice.Http.GetJsonAsync("/v1/sdk/group/channels/c/messages"))!["messages"]![0]!["file"].Str("url");
        Assert.Equal(exp + 1000, long.Parse(LinkPart(fresh, 4)));
        Assert.Equal([5, 6, 7], await Anonymous.GetByteArrayAsync(fresh));
    }
}

/// <summary>Uploads past the web server's own body limit (<c>GitpleLive:MaxUploadSize</c>).</summary>
public class UploadLimitTests
{
    [Fact]
    public async Task An_upload_over_the_server_limit_is_1012_and_stores_nothing()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["GitpleLive:MaxUploadSize"] = "65536" });
        using var alice = await server.SdkUserAsync("alice");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "c", name = "c" });
        var code = await alice.Http.SendAsync(HttpMethod.Post, "/v1/sdk/group/channels/c/messages", Api.FileForm(new byte[200_000], "big.bin"), 413);
        Assert.Equal(1012, code.Long("code"));
        Assert.Equal(0, (await alice.ChannelAsync("c")).Long("total_file_count"));
        // Below the limit is fine.
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels/c/messages", Api.FileForm(new byte[30_000], "ok.bin"));
        Assert.Single(Directory.GetFiles(Path.Combine(server.DataDirectory, "files"), "*", SearchOption.AllDirectories));
        // The form reader never refuses a part the body limit allows (else large files would be 1001, not 1012).
        var form = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Features.FormOptions>>(server.Services).Value;
        Assert.True(form.MultipartBodyLengthLimit >= 65536);
    }

    [Fact]
    public async Task The_form_reader_allows_parts_as_large_as_the_default_body_limit()
    {
        await using var server = await TestServer.StartAsync();
        var form = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Features.FormOptions>>(server.Services).Value;
        Assert.True(form.MultipartBodyLengthLimit >= 200L * 1024 * 1024, $"multipart limit {form.MultipartBodyLengthLimit}");
    }
}
