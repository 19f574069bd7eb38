using GitpleLive.TestHost;

namespace GitpleLive.Platform.Tests;

/// <summary>A real server per test and a <see cref="PlatformClient"/> for its pinned app.</summary>
public abstract class ServerTest : IAsyncLifetime
{
    protected TestServer Server = null!;
    protected PlatformClient Client = null!;

    public async Task InitializeAsync()
    {
        Server = await TestServer.StartAsync();
        Client = new PlatformClient(new PlatformClientOptions { Host = Server.Host, AppId = Server.AppId, ApiKey = Server.ApiKey });
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
