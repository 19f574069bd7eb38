using GitpleLive.TestHost;

namespace GitpleLive.Platform.Tests;

/// <summary>A real server per test and a <see cref="PlatformClient"/> for its pinned app.</summary>
public abstract class ServerTest : IAsyncLifetime
{
    protected TestServer _server = null!;
    protected PlatformClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        _client = new PlatformClient(new PlatformClientOptions { Host = _server.Host, AppId = _server.AppId, ApiKey = _server.ApiKey });
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }
}
