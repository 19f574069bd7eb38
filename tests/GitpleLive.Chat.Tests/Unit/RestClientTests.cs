using System.Net;
using System.Net.Sockets;
using System.Text;
using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat.Tests.Unit;

public class RestClientTests
{
    private sealed class FakeHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        public List<(HttpRequestMessage Request, string? Body)> Seen { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
            lock (Seen) Seen.Add((request, body));
            return await answer(request, cancellationToken);
        }
    }

    private static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static RestClient Rest(HttpMessageHandler handler, TimeSpan? timeout = null) =>
        new(Endpoint.FromOptions(new ChatClientOptions { Host = "live.example.com", AppId = "app1" }), "app1", timeout ?? TimeSpan.FromSeconds(5), handler);

    [Fact]
    public async Task Calls_carry_the_protocol_headers_and_json()
    {
        var handler = new FakeHandler((_, _) => Task.FromResult(Json(HttpStatusCode.OK, """{"token":"sdk","expires_at":5}""")));
        using var rest = Rest(handler);
        var token = await rest.SendJsonAsync(HttpMethod.Post, "users/token", new Credentials("alice", "session"), new EmptyBody(),
            ChatJsonContext.Default.EmptyBody, ChatJsonContext.Default.TokenResponse, default);
        Assert.Equal(new TokenResponse("sdk", 5), token);
        var (request, body) = Assert.Single(handler.Seen);
        Assert.Equal("https://live.example.com/v1/sdk/users/token", request.RequestUri!.ToString());
        Assert.Equal("app1", request.Headers.GetValues("APP_ID").Single());
        Assert.Equal("alice", request.Headers.GetValues("USER_ID").Single());
        Assert.Equal("Bearer session", request.Headers.Authorization!.ToString());
        Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
        Assert.Equal("{}", body);
    }

    [Fact]
    public async Task A_server_error_becomes_its_code()
    {
        var handler = new FakeHandler((_, _) => Task.FromResult(Json(HttpStatusCode.Unauthorized,
            """{"code":4001,"message":"bad token","status":401,"path":"/v1/sdk/users/info/me","timestamp":1}""")));
        using var rest = Rest(handler);
        var e = await Assert.ThrowsAsync<GitpleLiveException>(() => rest.GetAsync("users/info/me", new Credentials("a", "t"), ChatJsonContext.Default.User, default));
        Assert.Equal((4001, "unauthorized", 401), (e.Code, e.Name, e.Status));
    }

    [Fact]
    public async Task A_silent_server_is_60901_and_the_callers_cancellation_stays_a_cancellation()
    {
        var handler = new FakeHandler(async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return null!; });
        using var rest = Rest(handler, TimeSpan.FromMilliseconds(100));
        var e = await Assert.ThrowsAsync<GitpleLiveException>(() => rest.GetAsync("users/info/me", new Credentials("a", "t"), ChatJsonContext.Default.User, default));
        Assert.Equal(60901, e.Code);

        using var rest2 = Rest(handler, TimeSpan.FromSeconds(30));
        using var cts = new CancellationTokenSource(50);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rest2.GetAsync("users/info/me", new Credentials("a", "t"), ChatJsonContext.Default.User, cts.Token));
    }

    [Fact]
    public async Task An_unreachable_server_is_60902()
    {
        // A port that was free a moment ago: connection refused.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var client = new ChatClient(new ChatClientOptions { Host = $"127.0.0.1:{port}", AppId = "app", UseTls = false });
        var e = await Assert.ThrowsAsync<GitpleLiveException>(() => client.ConnectUserAsync("alice", TestTokens.Session("alice", TimeSpan.FromHours(1))));
        Assert.Equal(60902, e.Code);
        Assert.Equal(ConnectionState.Disconnected, client.Connection.State);
    }

    [Fact]
    public async Task A_server_that_accepts_but_never_answers_is_60901_at_connect()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = new List<TcpClient>();
        var accepting = Task.Run(async () => { try { while (true) accepted.Add(await listener.AcceptTcpClientAsync()); } catch (Exception) { } });
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            await using var client = new ChatClient(new ChatClientOptions { Host = $"127.0.0.1:{port}", AppId = "app", UseTls = false, RequestTimeout = TimeSpan.FromMilliseconds(300) });
            var e = await Assert.ThrowsAsync<GitpleLiveException>(() => client.ConnectUserAsync("alice", TestTokens.Session("alice", TimeSpan.FromHours(1))));
            Assert.Equal(60901, e.Code);
        }
        finally
        {
            listener.Stop();
            foreach (var c in accepted) c.Dispose();
        }
    }

    [Fact]
    public async Task Health_reads_the_first_forwarded_address()
    {
        var handler = new FakeHandler((request, _) =>
        {
            Assert.Equal("https://live.example.com/health", request.RequestUri!.ToString());
            var response = new HttpResponseMessage(HttpStatusCode.OK);
            response.Headers.TryAddWithoutValidation("x-forwarded-for", "203.0.113.7, 10.0.0.1");
            return Task.FromResult(response);
        });
        using var rest = Rest(handler);
        Assert.Equal("203.0.113.7", await rest.GetClientIpAsync(default));
    }

    [Fact]
    public void List_queries_carry_every_find_parameter()
    {
        var path = GroupChannelClient.ChannelListPath("group/channels", new GroupChannelQuery
        {
            Limit = 50, ShowMembers = true, ShowManagers = true, ShowReadReceipt = true, ShowDeliveryReceipt = true,
            ShowUnread = true, ShowLastMessage = true, Name = "a b&c", IncludeMembers = ["u1", "u2"], Next = "n/1",
        });
        Assert.Equal("group/channels?limit=50&show_members=true&show_managers=true&show_read_receipt=true&show_delivery_receipt=true" +
                     "&show_unread=true&show_last_message=true&name=a%20b%26c&include_members=u1%2Cu2&next=n%2F1", path);
        Assert.Equal("group/channels/joined/list", GroupChannelClient.ChannelListPath("group/channels/joined/list", new GroupChannelQuery()));

        Assert.Equal("group/channels/c%201/messages?limit=10&mode=next&base_message_id=42&type=text&content=hi",
            GroupChannelClient.MessageListPath("c 1", new MessageQuery { Limit = 10, Mode = MessageListMode.Next, BaseMessageId = 42, Type = "text", Content = "hi" }));
        Assert.Equal("group/channels/c1/messages?mode=prev", GroupChannelClient.MessageListPath("c1", new MessageQuery { Mode = MessageListMode.Prev }));
    }
}
