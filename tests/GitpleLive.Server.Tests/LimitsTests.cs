using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>Per-app limits set through <c>PUT /v1/app</c>: 1010, 1011, 1012 and 1014 everywhere they apply.</summary>
public class LimitsTests(LimitsTests.Fixture fx) : IClassFixture<LimitsTests.Fixture>
{
    /// <summary>A server whose app allows 3 members, 2 managers, 1000-byte files and 2 meta keys.</summary>
    public sealed class Fixture : ServerFixture
    {
        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var app = await Server.Platform.PutJsonAsync("/v1/app", new { max_members_per_channel = 3, max_managers_per_channel = 2, max_file_size = 1000, max_meta_keys = 2 });
            Assert.Equal(3, app.Long("max_members_per_channel"));
            Assert.Equal(2, app.Long("max_managers_per_channel"));
            Assert.Equal(1000, app.Long("max_file_size"));
            Assert.Equal(2, app.Long("max_meta_keys"));
            Assert.Equal(app!.ToJsonString(), (await Server.Platform.GetJsonAsync("/v1/app"))!.ToJsonString());
        }
    }

    private TestServer Server => fx.Server;

    [Fact]
    public async Task Member_limit_is_1010_on_create_join_and_platform_add()
    {
        var u = await Server.NewUsersAsync("a", "b", "c", "d");
        var id = Api.NewId("ch");
        await u[0].Http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/group/channels", new { channel_id = id, name = "x", members = new[] { u[1].UserId, u[2].UserId, u[3].UserId } }, 400, 1010);
        await u[0].Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/group/channels/{id}", null, 404, 1003);
        await Server.Platform.ExpectErrorAsync(HttpMethod.Post, "/v1/group/channels", new { channel_id = id, name = "x", members = u.Select(x => x.UserId).ToArray() }, 400, 1010);

        await u[0].Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = id, name = "x", members = new[] { u[1].UserId } });
        await u[2].Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/join");
        var mark = Server.Mark();
        await u[3].Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/join", null, 400, 1010);
        await Server.Platform.ExpectErrorAsync(HttpMethod.Post, $"/v1/group/channels/{id}/members", new { members = new[] { u[3].UserId } }, 400, 1010);
        Assert.Empty(Server.Events.Since(mark));
        Assert.Equal(3, (await u[0].Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/members"))!.AsArray().Count);

        // Room again after someone leaves.
        await u[2].Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/leave");
        await u[3].Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/join");
    }

    [Fact]
    public async Task Manager_limit_is_1011()
    {
        var u = await Server.NewUsersAsync("a", "b", "c");
        var id = await u[0].NewChannelAsync(u[1], u[2]);
        await u[0].Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/managers", new { manager = u[1].UserId });
        var mark = Server.Mark();
        await u[0].Http.ExpectErrorAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{id}/managers", new { manager = u[2].UserId }, 400, 1011);
        await Server.Platform.ExpectErrorAsync(HttpMethod.Post, $"/v1/group/channels/{id}/managers", new { manager = u[2].UserId }, 400, 1011);
        Assert.Empty(Server.Events.Since(mark));
        Assert.Equal(2, (await u[0].Http.GetJsonAsync($"/v1/sdk/group/channels/{id}/managers"))!.AsArray().Count);
        await Server.Platform.ExpectErrorAsync(HttpMethod.Post, "/v1/group/channels", new { channel_id = Api.NewId("ch"), name = "x", managers = u.Select(x => x.UserId).ToArray() }, 400, 1011);
    }

    [Fact]
    public async Task File_size_limit_is_1012_and_stores_nothing()
    {
        var u = await Server.NewUsersAsync("a");
        var id = await u[0].NewChannelAsync();
        var ok = await u[0].Http.PostJsonAsync($"/v1/sdk/group/channels/{id}/messages", Api.FileForm(new byte[1000], "fits.bin"));
        Assert.Equal(1000, ok!["file"].Long("size"));
        var mark = Server.Mark();
        await u[0].Http.ExpectErrorAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{id}/messages", Api.FileForm(new byte[1001], "big.bin"), 400, 1012);
        await Server.Platform.ExpectErrorAsync(HttpMethod.Post, $"/v1/group/channels/{id}/messages", Api.FileForm(new byte[50_000], "big.bin", userId: u[0].UserId), 400, 1012);
        Assert.Empty(Server.Events.Since(mark));
        var channel = await u[0].ChannelAsync(id);
        Assert.Equal(1, channel.Long("total_file_count"));
        Assert.Equal(1, channel.Long("total_message_count"));
        var dir = Path.Combine(Server.DataDirectory, "files", Server.AppId, id);
        Assert.Single(Directory.GetFiles(dir, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Meta_key_limit_is_1014_everywhere()
    {
        var u = await Server.NewUsersAsync("a");
        var a = u[0];
        var three = new { k1 = "1", k2 = "2", k3 = "3" };
        var id = Api.NewId("ch");
        await a.Http.ExpectErrorAsync(HttpMethod.Post, "/v1/sdk/group/channels", new { channel_id = id, name = "x", meta = three }, 400, 1014);
        await Server.Platform.ExpectErrorAsync(HttpMethod.Post, "/v1/users", new { user_id = Api.NewId("u"), name = "x", meta = three }, 400, 1014);
        await a.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = id, name = "x", meta = new { k1 = "1" } });
        await a.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/meta", new { meta = new { k2 = "2", k3 = "3" } }, 400, 1014);
        await Server.Platform.ExpectErrorAsync(HttpMethod.Put, $"/v1/group/channels/{id}", new { meta = new { k2 = "2", k3 = "3" } }, 400, 1014);
        // Overwriting an existing key does not count twice.
        await a.Http.PutJsonAsync($"/v1/sdk/group/channels/{id}/meta", new { meta = new { k1 = "one", k2 = "2" } });
        await a.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/users/{a.UserId}/meta", new { meta = three }, 400, 1014);
        await Server.Platform.ExpectErrorAsync(HttpMethod.Put, $"/v1/users/{a.UserId}", new { meta = three }, 400, 1014);
        await a.Http.ExpectErrorAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{id}/messages", new { content = "x", meta = three }, 400, 1014);
        await a.Http.ExpectErrorAsync(HttpMethod.Post, $"/v1/sdk/group/channels/{id}/messages", Api.FileForm([1], "m.bin", meta: """{"a":"1","b":"2","c":"3"}"""), 400, 1014);
        var m = await a.SendTextAsync(id, "x");
        await a.Http.ExpectErrorAsync(HttpMethod.Put, $"/v1/sdk/group/channels/{id}/messages/{m.Long("message_id")}/meta", new { meta = three }, 400, 1014);
        Assert.Equal(1, (await a.ChannelAsync(id)).Long("total_message_count"));
        Assert.False((await a.Http.GetJsonAsync("/v1/sdk/users/info/me")).Has("meta"));
    }
}
