using System.Net;
using System.Net.Sockets;
using System.Text;
using GitpleLive.Chat;

namespace GitpleLive.Platform.Tests;

/// <summary>
/// The client against a fake of a misbehaving server (a local <see cref="HttpListener"/>): page walkers must end
/// on a repeating cursor or an empty page, and failures must be the SDK's <see cref="GitpleLiveException"/>.
/// </summary>
public sealed class MisbehavingServerTests : IDisposable
{
    private const string User = """{"user_id":"u1","name":"U","created_at":1,"updated_at":1}""";
    private const string Channel = """{"channel_id":"c1","type":"group","name":"C","freeze":false,"total_message_count":0,"total_file_count":0,"created_at":1,"updated_at":1}""";

    private readonly HttpListener _listener = new();
    private readonly int _port;
    private int _requests;

    public MisbehavingServerTests()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            _port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
    }

    private PlatformClient Client() =>
        new(new PlatformClientOptions { Host = $"http://127.0.0.1:{_port}", AppId = "app", ApiKey = "key", Timeout = TimeSpan.FromSeconds(5) });

    /// <summary>Answers every request with <paramref name="answer"/> until the test ends.</summary>
    private void Serve(Func<HttpListenerRequest, (int Status, string Body)> answer) => _ = Task.Run(async () =>
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            // A walker without its guard would ask forever: past 20 requests the fake fails it instead.
            var (status, body) = Interlocked.Increment(ref _requests) > 20
                ? (500, """{"code":9999,"message":"the fake gave up on an endless walk","status":500}""")
                : answer(context.Request);
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    });

    /// <summary>Enumerates with a bound, so a walker that never ends fails the test instead of hanging it.</summary>
    private static async Task<List<T>> TakeAsync<T>(IAsyncEnumerable<T> walk, int max = 50)
    {
        var items = new List<T>();
        await foreach (var item in walk)
        {
            items.Add(item);
            if (items.Count >= max) break;
        }
        return items;
    }

    [Theory]
    [InlineData("users")]
    [InlineData("channels")]
    public async Task A_walk_stops_when_the_server_repeats_its_cursor(string list)
    {
        var item = list == "users" ? User : Channel;
        Serve(_ => (200, $$"""{"{{list}}":[{{item}}],"next":"same"}"""));
        using var client = Client();
        int walked = list == "users"
            ? (await TakeAsync(client.GetUsersAsync(pageSize: 1))).Count
            : (await TakeAsync(client.GetChannelsAsync(pageSize: 1))).Count;
        // The first page and the one that repeated its cursor; then the walk ends.
        Assert.Equal(2, walked);
        Assert.Equal(2, Volatile.Read(ref _requests));
    }

    [Fact]
    public async Task A_walk_stops_at_an_empty_page_even_with_a_fresh_cursor()
    {
        Serve(r => (200, $$"""{"users":[],"next":"n{{Guid.NewGuid():N}}"}"""));
        using var client = Client();
        Assert.Empty(await TakeAsync(client.GetUsersAsync()));
        Assert.Equal(1, Volatile.Read(ref _requests));
    }

    [Theory]
    [InlineData("\"1764612345000\"")] // PROTOCOL §7: a digits string
    [InlineData("1764612345000")] // servers before it: a number
    public async Task An_error_body_is_read_with_either_timestamp_type(string timestamp)
    {
        Serve(_ => (404, $$"""{"code":1004,"message":"no such user","status":404,"path":"/v1/users/u1","timestamp":{{timestamp}}}"""));
        using var client = Client();
        var e = await Assert.ThrowsAsync<GitpleLiveException>(() => client.GetUserAsync("u1"));
        Assert.Equal((1004, "no such user", 404), (e.Code, e.Message, e.Status));
    }

    [Fact]
    public async Task An_answer_that_is_not_the_protocols_is_60999_with_its_status()
    {
        Serve(_ => (502, "<html>bad gateway</html>"));
        using var client = Client();
        var e = await Assert.ThrowsAsync<GitpleLiveException>(() => client.GetUserAsync("u1"));
        Assert.Equal((GitpleLiveErrorCode.UnknownError, "unknown_error", 502), (e.Code, e.Name, e.Status));
        Assert.Equal("/v1/users/u1", e.Path);
    }

    [Fact]
    public async Task An_unreachable_server_is_60902()
    {
        _listener.Stop();
        using var client = Client();
        var e = await Assert.ThrowsAsync<GitpleLiveException>(() => client.GetUserAsync("u1"));
        Assert.Equal(GitpleLiveErrorCode.UnableToConnect, e.Code);
        Assert.IsType<HttpRequestException>(e.InnerException);
    }

    public void Dispose() => _listener.Close();
}
