using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GitpleLive.TestHost;

namespace GitpleLive.Console.Tests;

/// <summary>Two nodes sharing PostgreSQL and Redis: a console session works on either, and its live view hears both.</summary>
public sealed class ConsoleAcrossNodesTests
{
    [SkippableFact]
    public async Task A_session_signed_in_on_one_node_streams_and_signs_out_on_the_other()
    {
        var reason = await ExternalServices.PostgresAndRedisMissingAsync();
        Skip.If(reason is not null, reason);
        await using var nodes = await TwoNodes.StartAsync("console", new Dictionary<string, string?> { ["GitpleLive:Console:AdminKey"] = ConsoleServer.AdminKey });
        var (a, b) = nodes;
        using var alice = await a.SdkUserAsync("alice");
        await ConsoleServer.ReadAsync(await a.Platform.PostAsJsonAsync("/v1/group/channels",
            new { channel_id = "both", name = "Both", members = new[] { "alice" } }));

        // Cookies belong to the host, not the port: one jar serves both nodes.
        var jar = new CookieContainer();
        using var onA = new HttpClient(new HttpClientHandler { CookieContainer = jar }) { BaseAddress = new Uri(a.BaseUrl) };
        using var onB = new HttpClient(new HttpClientHandler { CookieContainer = jar }) { BaseAddress = new Uri(b.BaseUrl) };
        var signedIn = await ConsoleServer.ReadAsync(await onA.PostAsync("/console/api/session", ConsoleServer.Form(null, null)));
        var csrf = signedIn["csrf_token"]!.GetValue<string>();
        var cookie = jar.GetCookies(new Uri(a.BaseUrl))["gitplelive_console"]!.Value;

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var stream = await onB.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/console/api/channels/both/stream?app_id={a.AppId}"),
            HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(cts.Token));
        Assert.StartsWith(":", await reader.ReadLineAsync(cts.Token));

        // Sent through node A, heard on node B through Redis.
        await ConsoleServer.SendAsync(alice, "both", "across the nodes");
        string? line;
        while ((line = await reader.ReadLineAsync(cts.Token)) is not null && line != "event: group:message_send") { }
        var data = await reader.ReadLineAsync(cts.Token);
        Assert.Equal("across the nodes", JsonNode.Parse(data!["data: ".Length..])!["message"]!["content"]!.GetValue<string>());

        // Signed out on node B: node A no longer knows the session either.
        var signOut = new HttpRequestMessage(HttpMethod.Delete, "/console/api/session");
        signOut.Headers.Add("X-CSRF-Token", csrf);
        Assert.Equal(HttpStatusCode.OK, (await onB.SendAsync(signOut)).StatusCode);
        // A kept copy of the cookie, on node A: the session is gone from the shared store.
        var copy = new CookieContainer();
        copy.Add(new Uri(a.BaseUrl), new Cookie("gitplelive_console", cookie));
        using var kept = new HttpClient(new HttpClientHandler { CookieContainer = copy }) { BaseAddress = new Uri(a.BaseUrl) };
        var after = new HttpRequestMessage(HttpMethod.Get, "/v1/users");
        after.Headers.Add("APP_ID", a.AppId);
        Assert.Equal(HttpStatusCode.Unauthorized, (await kept.SendAsync(after)).StatusCode);
    }
}
