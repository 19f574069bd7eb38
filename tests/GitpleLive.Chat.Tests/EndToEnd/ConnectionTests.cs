using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
namespace GitpleLive.Chat.Tests.EndToEnd;

/// <summary>Connect, disconnect, client-side errors, reconnect with catch-up, token refresh — against the real server.</summary>
public sealed class ConnectionTests : IAsyncLifetime
{
    private Harness _h = null!;

    public async Task InitializeAsync() => _h = await Harness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Connect_and_disconnect_raise_their_events_and_calls_need_a_connection()
    {
        var id = Harness.NewId("alice");
        var alice = await _h.NewClientAsync(id);
        var connected = Events.Next(h => alice.Connection.Connected += h);
        await alice.ConnectUserAsync(id, await _h.Server.SessionTokenAsync(id));
        await connected;
        Assert.Equal(ConnectionState.Connected, alice.Connection.State);
        Assert.Equal(id, alice.UserId);
        Assert.Equal(id, (await alice.User.MeAsync()).UserId);

        var disconnected = Events.Next<DisconnectedEventArgs>(h => alice.Connection.Disconnected += h);
        await alice.DisconnectUserAsync();
        Assert.Equal(DisconnectReason.ClientRequested, (await disconnected).Reason);
        Assert.Equal(ConnectionState.Disconnected, alice.Connection.State);
        Assert.Equal(60904, (await Assert.ThrowsAsync<GitpleLiveException>(() => alice.User.MeAsync())).Code);
        await alice.DisconnectUserAsync(); // idempotent

        // The same client can connect again.
        await alice.ConnectUserAsync(id, await _h.Server.SessionTokenAsync(id));
        Assert.True(alice.Connection.IsConnected);
    }

    [Fact]
    public async Task The_localhost_host_form_works_too()
    {
        var id = Harness.NewId("loc");
        var client = await _h.NewClientAsync(id, o => o with { Host = _h.Server.Host, UseTls = null });
        await client.ConnectUserAsync(id, await _h.Server.SessionTokenAsync(id));
        Assert.Equal(id, (await client.User.MeAsync()).UserId);
    }

    [Fact]
    public async Task Client_side_token_errors_come_before_the_server_and_server_refusals_keep_their_code()
    {
        var id = Harness.NewId("tok");
        var other = Harness.NewId("other");
        await _h.Server.CreateUserAsync(other);
        var client = await _h.NewClientAsync(id);
        var otherToken = await _h.Server.SessionTokenAsync(other);
        var wrongUser = await Assert.ThrowsAsync<GitpleLiveException>(() => client.ConnectUserAsync(id, otherToken));
        Assert.Equal(60102, wrongUser.Code);
        var expired = await Assert.ThrowsAsync<GitpleLiveException>(async () =>
            await client.ConnectUserAsync(id, await _h.Server.SessionTokenAsync(id, DateTimeOffset.UtcNow.AddSeconds(5).ToUnixTimeMilliseconds())));
        Assert.Equal(60103, expired.Code);

        // A well-formed token with a bad signature passes the client check; the server refuses it with 4001.
        var good = await _h.Server.SessionTokenAsync(id);
        var forged = good[..good.LastIndexOf('.')] + ".AAAA";
        var refused = await Assert.ThrowsAsync<GitpleLiveException>(() => client.ConnectUserAsync(id, forged));
        Assert.Equal(4001, refused.Code);
        Assert.Equal(401, refused.Status);
        Assert.Equal(ConnectionState.Disconnected, client.Connection.State);

        // Another user while connected is refused locally.
        await client.ConnectUserAsync(id, good);
        Assert.Equal(60101, (await Assert.ThrowsAsync<GitpleLiveException>(async () => await client.ConnectUserAsync(other, await _h.Server.SessionTokenAsync(other)))).Code);
    }

    [Fact]
    public async Task Server_restart_drops_the_connection_and_the_client_comes_back()
    {
        var id = Harness.NewId("rs");
        var client = await _h.ConnectAsync(id);
        var started = Events.Next(h => client.Connection.ReconnectStarted += h);
        var succeeded = Events.Next(h => client.Connection.ReconnectSucceeded += h);
        await _h.Server.RestartAsync(TimeSpan.FromMilliseconds(300));
        await started;
        await succeeded;
        Assert.True(client.Connection.IsConnected);
        Assert.Equal(id, (await client.User.MeAsync()).UserId);
    }

    [Fact]
    public async Task Messages_sent_while_away_are_caught_up_in_order_and_once()
    {
        var aliceId = Harness.NewId("alice");
        var bobId = Harness.NewId("bob");
        var alice = await _h.ConnectAsync(aliceId);
        // Generous attempts: the network stays down while alice sends, however slow this machine is.
        var bob = await _h.ConnectAsync(bobId, o => _h.ViaNetwork(o) with { MaxReconnectAttempts = 1000 });
        var channelId = Harness.NewId("room");
        var bobJoined = Events.Next<ChannelUserEventArgs>(h => bob.GroupChannel.ChannelJoined += h, e => e.Channel.ChannelId == channelId);
        await alice.GroupChannel.CreateChannelAsync(new CreateGroupChannelOptions { ChannelId = channelId, Name = "Room", Members = [bobId] });
        await bobJoined;

        var received = new Events.Log<ChannelMessageEventArgs>(h => bob.GroupChannel.MessageReceived += h);
        for (var i = 1; i <= 3; i++) await alice.GroupChannel.SendMessageAsync(channelId, $"before {i}");
        await received.WaitAsync(l => l.Count == 3);

        // Bob's network goes down and stays down until alice has sent more; then it comes back.
        var started = Events.Next(h => bob.Connection.ReconnectStarted += h);
        var succeeded = Events.Next(h => bob.Connection.ReconnectSucceeded += h);
        _h.Network.Refusing = true;
        _h.Network.DropAll();
        await started;
        for (var i = 1; i <= 130; i++) await alice.GroupChannel.SendMessageAsync(channelId, $"away {i}");
        _h.Network.Refusing = false;
        await succeeded;
        // Everything missed was raised before ReconnectSucceeded; live messages continue after.
        Assert.Equal(133, received.Items.Count);
        await alice.GroupChannel.SendMessageAsync(channelId, "after");
        await received.WaitAsync(l => l.Count == 134);

        var contents = received.Items.Select(e => e.Message.Content).ToList();
        Assert.Equal(Enumerable.Range(1, 3).Select(i => $"before {i}").Concat(Enumerable.Range(1, 130).Select(i => $"away {i}")).Append("after"), contents);
        var ids = received.Items.Select(e => e.Message.MessageId).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(received.Items, e => Assert.Equal(channelId, e.Channel.ChannelId));
    }

    [Fact]
    public async Task When_the_server_stays_away_reconnecting_gives_up()
    {
        await using var h = await Harness.StartAsync();
        var client = await h.ConnectAsync(Harness.NewId("gone"), o => o with { MaxReconnectAttempts = 2, ReconnectDelay = TimeSpan.FromMilliseconds(50), RequestTimeout = TimeSpan.FromSeconds(2) });
        var failed = Events.Next(h2 => client.Connection.ReconnectFailed += h2);
        var disconnected = Events.Next<DisconnectedEventArgs>(h2 => client.Connection.Disconnected += h2);
        await h.Server.StopAsync();
        await failed;
        var args = await disconnected;
        Assert.Equal(DisconnectReason.ReconnectFailed, args.Reason);
        Assert.Equal(60902, args.Exception!.Code);
        Assert.Equal(ConnectionState.Disconnected, client.Connection.State);
    }

    [Fact]
    public async Task Short_lived_sdk_tokens_are_refreshed_before_they_run_out()
    {
        await using var h = await Harness.StartAsync(new Dictionary<string, string?> { ["GitpleLive:SdkTokenLifetime"] = "00:00:03" });
        // The one real-time check of refresh against the real server; the decision itself is tested on a fake clock.
        using var calls = new TokenCalls();
        var client = await h.ConnectAsync(Harness.NewId("short"), o => o with
        {
            HttpMessageHandler = calls,
            TokenRefreshCheckInterval = TimeSpan.FromMilliseconds(200),
            TokenRefreshThreshold = TimeSpan.FromSeconds(2),
        });
        var atConnect = calls.Calls.Count;
        var first = calls.Calls[^1].ExpiresAt!.Value;
        // Wait past the first token's end; the client must have replaced it meanwhile.
        while (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() < first + 500) await Task.Delay(100);
        Assert.True(calls.Calls.Count > atConnect, "the token was not refreshed");
        Assert.True(calls.Calls[^1].ExpiresAt > first);
        Assert.NotNull(await client.User.MeAsync());
    }

    [Fact]
    public async Task The_sdk_token_is_refreshed_when_the_clients_clock_reaches_the_threshold()
    {
        // The refresh decision follows ChatClientOptions.TimeProvider: move the client's clock to an hour before
        // the real token's end and the real server issues a new one, no waiting for a day-long token.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var calls = new TokenCalls();
        var id = Harness.NewId("clock");
        var client = await _h.ConnectAsync(id, o => o with { TimeProvider = time, HttpMessageHandler = calls });
        var atConnect = calls.Calls.Count;
        var first = calls.Calls[^1].ExpiresAt!.Value;

        time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(first) - client.Options.TokenRefreshThreshold + TimeSpan.FromMinutes(1));
        await calls.WaitAsync(c => c.Count > atConnect);
        var refreshed = calls.Calls[^1];
        Assert.Equal((200, "/v1/sdk/users/token"), (refreshed.Status, refreshed.Path));
        Assert.True(refreshed.ExpiresAt > first);
        Assert.Equal(id, (await client.User.MeAsync()).UserId);
    }

    [Fact]
    public async Task A_refused_subscription_is_60903_and_leaves_the_client_disconnected()
    {
        // Membership changes between reading the joined channels and subscribing to them: the network holds the
        // client's SUBSCRIBE while the member is removed, the real broker then refuses the channel's topic (SUBACK
        // 0x80), which fails the connect with 60903.
        var id = Harness.NewId("refused");
        var client = await _h.NewClientAsync(id, _h.ViaNetwork);
        var channel = Harness.NewId("gone");
        (await _h.Server.Platform.PostAsJsonAsync("/v1/group/channels", new { channel_id = channel, name = "soon gone", members = new[] { id } })).EnsureSuccessStatusCode();
        var removed = false;
        _h.Network.BeforeClientPacket = async packet =>
        {
            if (packet.Type != MqttPacket.Subscribe || removed || !packet.Topics.Any(t => t.Contains(channel, StringComparison.Ordinal))) return;
            removed = true;
            (await _h.Server.Platform.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/v1/group/channels/{channel}/members")
            {
                Content = JsonContent.Create(new { members = new[] { id } }),
            })).EnsureSuccessStatusCode();
        };
        var e = await Assert.ThrowsAsync<GitpleLiveException>(async () => await client.ConnectUserAsync(id, await _h.Server.SessionTokenAsync(id)));
        Assert.True(removed, "the client never sent the channel's SUBSCRIBE");
        Assert.Equal(60903, e.Code);
        Assert.Equal(ConnectionState.Disconnected, client.Connection.State);
    }

    [Fact]
    public async Task Deleting_the_user_raises_user_deleted_and_disconnects()
    {
        var id = Harness.NewId("del");
        var client = await _h.ConnectAsync(id);
        var deleted = Events.Next<UserEventArgs>(h => client.User.UserDeleted += h);
        var disconnected = Events.Next<DisconnectedEventArgs>(h => client.Connection.Disconnected += h);
        (await _h.Server.Platform.DeleteAsync($"/v1/users/{id}")).EnsureSuccessStatusCode();
        Assert.Equal(id, (await deleted).User.UserId);
        Assert.Equal(DisconnectReason.UserDeleted, (await disconnected).Reason);
    }

    [Fact]
    public async Task Tokenless_users_connect_without_a_session_token_when_the_app_allows_it()
    {
        await using var h = await Harness.StartAsync(new Dictionary<string, string?> { ["GitpleLive:DefaultAppAllowTokenless"] = "true" });
        var id = Harness.NewId("free");
        using var calls = new TokenCalls();
        await using var client = new ChatClient(h.Options() with { HttpMessageHandler = calls });
        await client.ConnectUserAsync(id);
        Assert.Equal(id, (await client.User.MeAsync()).UserId);
        // The token came by client id, and the client id the server accepted has the protocol's shape.
        var byClientId = Assert.Single(calls.Calls, c => c.Path.EndsWith("/users/token/by_client_id", StringComparison.Ordinal));
        Assert.Equal(200, byClientId.Status);
        var clientId = System.Text.Json.JsonDocument.Parse(byClientId.RequestBody).RootElement.GetProperty("clientId").GetString();
        Assert.StartsWith($"{h.Server.AppId}::{id}::{ChatClient.SdkVersion}::", clientId);

        // Not allowed by default: the connect fails and leaves the client disconnected.
        var strictId = Harness.NewId("strict");
        var strict = await _h.NewClientAsync(strictId);
        var e = await Assert.ThrowsAsync<GitpleLiveException>(() => strict.ConnectUserAsync(strictId));
        // The broker refuses the empty password with CONNACK 5 (not authorized): the SDK reads that code as 4001.
        Assert.Equal(4001, e.Code);
        Assert.Null(e.Status);
        Assert.Equal(ConnectionState.Disconnected, strict.Connection.State);
    }
}
