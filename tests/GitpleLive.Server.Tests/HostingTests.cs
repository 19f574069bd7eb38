using System.Collections.Concurrent;
using GitpleLive.Server.Hosting;
using GitpleLive.Server.Services;
using GitpleLive.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GitpleLive.Server.Tests;

/// <summary>How the server is put together: options bound once and checked at start, seams a host can replace.</summary>
public class HostingTests
{
    [Theory]
    [InlineData("GitpleLive:StorageProvider", "mysql")]
    [InlineData("GitpleLive:MaxUploadSize", "0")]
    [InlineData("GitpleLive:SdkTokenLifetime", "-00:00:01")]
    [InlineData("GitpleLive:Realtime:MaxQueuedPackets", "0")]
    [InlineData("GitpleLive:Realtime:Path", "ws")]
    public async Task A_bad_setting_stops_the_start_and_is_named(string setting, string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestServer.StartAsync(new Dictionary<string, string?> { [setting] = value }));
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postgres_without_a_connection_string_stops_the_start()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestServer.StartAsync(new Dictionary<string, string?> { ["GitpleLive:StorageProvider"] = "postgres" }));
        Assert.Contains("GitpleLive:ConnectionString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_are_bound_from_the_final_configuration()
    {
        // A host's hook adds configuration after the command line is read; the bound options see it.
        await using var server = await TestServer.StartAsync(configure: b => b.Configuration["GitpleLive:MaxJsonBodySize"] = "4321");
        var options = server.Services.GetRequiredService<ChatServerOptions>();
        Assert.Equal(4321, options.MaxJsonBodySize);
        Assert.Same(server.Services.GetRequiredService<IOptions<ChatServerOptions>>().Value, options);
        using var big = new StringContent($"{{\"name\":\"{new string('x', 5000)}\"}}", System.Text.Encoding.UTF8, "application/json");
        var message = await server.Platform.ExpectErrorAsync(HttpMethod.Post, "/v1/users", big, 400, 1001);
        Assert.Contains("4321", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_app_key_falls_back_to_the_environment()
    {
        var key = "env-key-" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable("GITPLELIVE_API_KEY", key);
        try
        {
            await using var app = ChatServer.Build(["--urls=http://127.0.0.1:0", "--GitpleLive:DefaultAppId=cfg-app"]);
            var options = app.Services.GetRequiredService<ChatServerOptions>();
            Assert.Equal("cfg-app", options.DefaultAppId);
            Assert.Equal(key, options.DefaultApiKey);
        }
        finally
        {
            Environment.SetEnvironmentVariable("GITPLELIVE_API_KEY", null);
        }
    }

    [Fact]
    public async Task A_host_replaces_the_file_store_through_the_build_hook()
    {
        var store = new MemoryFileStore();
        await using var server = await TestServer.StartAsync(configure: b => b.Services.AddSingleton<IFileStore>(store));
        Assert.Same(store, server.Services.GetRequiredService<IFileStore>());
        using var alice = await server.SdkUserAsync("alice");
        await alice.Http.PostJsonAsync("/v1/sdk/group/channels", new { channel_id = "c", name = "c" });
        byte[] bytes = [1, 2, 3, 4, 5];
        var message = await alice.Http.PostJsonAsync("/v1/sdk/group/channels/c/messages", Api.FileForm(bytes, "x.bin"));

        // The upload went to the host's store, not to the data folder, and the link serves it from there.
        Assert.Equal(bytes, Assert.Single(store.Files.Values));
        var files = Path.Combine(server.DataDirectory, "files");
        Assert.False(Directory.Exists(files) && Directory.EnumerateFiles(files, "*", SearchOption.AllDirectories).Any());
        using var anonymous = new HttpClient();
        Assert.Equal(bytes, await anonymous.GetByteArrayAsync(message!["file"].Str("url")));
    }

    /// <summary>Files in memory: a stand-in for another backend (object storage, say).</summary>
    private sealed class MemoryFileStore : IFileStore
    {
        public ConcurrentDictionary<string, byte[]> Files { get; } = new();

        public async Task<long> SaveAsync(string key, Stream content, long maxBytes, CancellationToken cancellationToken = default)
        {
            using var buffer = new MemoryStream();
            await content.CopyToAsync(buffer, cancellationToken);
            if (buffer.Length > maxBytes) return -1;
            Files[key] = buffer.ToArray();
            return buffer.Length;
        }

        public Stream? OpenRead(string key) => Files.TryGetValue(key, out var bytes) ? new MemoryStream(bytes, writable: false) : null;

        public Task DeleteAsync(string key, CancellationToken cancellationToken = default)
        {
            Files.TryRemove(key, out _);
            return Task.CompletedTask;
        }
    }
}
