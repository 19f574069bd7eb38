using System.Text;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary>The benchmark-only <c>/v1/diagnostics</c> routes: there only when enabled, and they drive the event path.</summary>
public class DiagnosticsTests
{
    [Fact]
    public async Task The_fanout_generator_publishes_to_a_channel_until_stopped()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["GitpleLive:EnableDiagnostics"] = "true" });
        await server.Platform.PostJsonAsync("/v1/group/channels", new { channel_id = "fan", name = "fan" });
        var run = new { channel_ids = new[] { "fan" }, rate = 200, seconds = 60 };
        var started = await server.Platform.PostJsonAsync("/v1/diagnostics/fanout", run);
        Assert.True(started!["running"]!.GetValue<bool>());

        var e = await server.Events.WaitForAsync(x => x.Category == "group:message_send" && x.TargetId == "fan");
        Assert.Contains("\"content\":\"bench:", Encoding.UTF8.GetString(e.PayloadBytes), StringComparison.Ordinal);
        Assert.True((await server.Platform.GetJsonAsync("/v1/diagnostics/fanout")).Long("published") > 0);

        var stopped = await server.Platform.DeleteJsonAsync("/v1/diagnostics/fanout");
        Assert.False(stopped!["running"]!.GetValue<bool>());
        var unknown = new { channel_ids = new[] { "nope" }, rate = 1, seconds = 1 };
        await server.Platform.ExpectErrorAsync(HttpMethod.Post, "/v1/diagnostics/fanout", unknown, 404, 1003);
    }

    [Fact]
    public async Task The_routes_are_not_there_by_default()
    {
        await using var server = await TestServer.StartAsync();
        await server.Platform.PostJsonAsync("/v1/group/channels", new { channel_id = "fan", name = "fan" });
        var run = new { channel_ids = new[] { "fan" }, rate = 10, seconds = 1 };
        await server.Platform.ExpectErrorAsync(HttpMethod.Post, "/v1/diagnostics/fanout", run, 404, 1002);
        Assert.Empty(server.Events.Where(x => x.Category == "group:message_send"));
    }
}
