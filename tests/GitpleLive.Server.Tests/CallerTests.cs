using System.Net;
using System.Text.Json.Nodes;
using GitpleLive.Server.Api;
using GitpleLive.Server.Auth;
using GitpleLive.Server.Services;
using GitpleLive.TestHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Server.Tests;

/// <summary>The caller a handler is bound: only an auth filter makes it someone.</summary>
public class CallerTests
{
    [Fact]
    public async Task A_route_without_an_auth_filter_binds_a_caller_that_cannot_act()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.UseMiddleware<ErrorHandlingMiddleware>();
        app.MapGet("/unfiltered", (ChatCaller caller) => caller.AppId);
        app.MapGet("/bound", (ChatCaller caller) => caller.IsAuthenticated ? "authenticated" : "unauthenticated");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        Assert.Equal("unauthenticated", await http.GetStringAsync("/bound"));
        using var response = await http.GetAsync("/unfiltered");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(GitpleLive.Chat.GitpleLiveErrorCode.Unauthorized, body["code"]!.GetValue<int>());
        await app.StopAsync();
    }

    [Fact]
    public async Task Services_refuse_the_unauthenticated_caller()
    {
        await using var server = await TestServer.StartAsync();
        await server.CreateUserAsync("alice");
        var nobody = await ChatCaller.BindAsync(new DefaultHttpContext());
        Assert.Same(ChatCaller.Unauthenticated, nobody);

        async Task Refused(Func<Task> call) =>
            Assert.Equal(GitpleLive.Chat.GitpleLiveErrorCode.Unauthorized, (await Assert.ThrowsAsync<ApiException>(call)).Code);
        await Refused(() => server.Services.GetRequiredService<UserService>().GetAsync(nobody!, "alice"));
        await Refused(() => server.Services.GetRequiredService<ChannelService>().GetAsync(nobody!, "c1"));
        await Refused(() => server.Services.GetRequiredService<MembershipService>().JoinAsync(nobody!, "c1"));
        await Refused(() => server.Services.GetRequiredService<BanService>().BannedAsync(nobody!, "c1"));
        await Refused(() => server.Services.GetRequiredService<MessageService>().SendAsync(nobody!, "c1", "alice", "hi", null, null));
    }

    [Fact]
    public async Task Platform_only_calls_refuse_an_sdk_user()
    {
        await using var server = await TestServer.StartAsync();
        await server.CreateUserAsync("alice");
        await server.CreateUserAsync("bob");
        var app = (await server.Services.GetRequiredService<AppService>().FindAsync(server.AppId))!;
        var alice = ChatCaller.User(app, "alice");
        var channels = server.Services.GetRequiredService<ChannelService>();
        await channels.CreateAsync(alice, new ChannelService.CreateRequest("c1", "Room", null, [], false, null));

        async Task Refused(Func<Task> call) =>
            Assert.Equal(GitpleLive.Chat.GitpleLiveErrorCode.NoPermission, (await Assert.ThrowsAsync<ApiException>(call)).Code);
        await Refused(() => server.Services.GetRequiredService<MembershipService>().AddMembersAsync(alice, "c1", ["bob"]));
        await Refused(() => server.Services.GetRequiredService<UserService>().DeleteAsync(alice, "bob"));
        await Refused(() => server.Services.GetRequiredService<MessageService>().SendAsync(alice, "c1", "bob", "as bob", null, null));
        await Refused(() => channels.UpdateAsync(alice, "c1", null, null, new() { ["k"] = "v" }));
        Assert.Empty(server.Events.Where(e => e.Category == "group:channel_join"));
    }
}
