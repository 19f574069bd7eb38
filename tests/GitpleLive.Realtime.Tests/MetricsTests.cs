using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.RegularExpressions;
using GitpleLive.Server.Operations;
using GitpleLive.TestHost;

namespace GitpleLive.Realtime.Tests;

/// <summary><c>/metrics</c>: the server's series move when a message is sent to a channel with a subscriber.</summary>
public sealed class MetricsTests(RealtimeServer server) : IClassFixture<RealtimeServer>
{
    private const string App = RealtimeServer.AppId;

    private async Task<string> ScrapeAsync()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync($"{server.BaseUrl}/metrics");
        Assert.Equal(200, (int)response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of a series over its label sets (null: not exported).</summary>
    private static double? Value(string text, string name)
    {
        double? sum = null;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal)) continue;
            var rest = line[name.Length..];
            if (rest.Length == 0 || (rest[0] != ' ' && rest[0] != '{')) continue;
            var parts = line.Split(' ');
            // "name{labels} value [timestamp]": labels hold no spaces in these series.
            sum = (sum ?? 0) + double.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        return sum;
    }

    [Fact]
    public async Task Sending_a_message_to_a_subscribed_channel_moves_the_named_series()
    {
        var sender = await server.ConnectNewUserAsync(App);
        var listener = await server.ConnectNewUserAsync(App);
        await using var a = sender; await using var b = listener;
        var channel = RealtimeServer.NewId("m");
        await server.CreateChannelAsync(App, channel, [sender.UserId, listener.UserId]);
        await listener.SubscribeOkAsync(Topics.ChannelAll(App, channel));

        var before = await ScrapeAsync();
        var deliveries = Value(before, "gitplelive_deliveries_total") ?? 0;
        var sent = Value(before, "gitplelive_messages_sent_total") ?? 0;
        var sends = Value(before, "gitplelive_send_duration_seconds_count") ?? 0;
        Assert.True(Value(before, "gitplelive_connections") >= 2, "connections gauge: " + Value(before, "gitplelive_connections"));
        Assert.True(Value(before, "gitplelive_subscriptions") >= 3, "subscriptions gauge: " + Value(before, "gitplelive_subscriptions"));

        var token = await server.SdkTokenAsync(App, sender.UserId);
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        http.DefaultRequestHeaders.Add("APP_ID", App);
        http.DefaultRequestHeaders.Add("USER_ID", sender.UserId);
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        using var response = await http.PostAsync($"/v1/sdk/group/channels/{channel}/messages",
            new StringContent("""{"type":"text","content":"counted"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(200, (int)response.StatusCode);
        var received = await listener.NextAsync();
        Assert.Equal("group:message_send", received.Category);

        string after = "";
        await RealtimeServer.EventuallyAsync(async () =>
        {
            after = await ScrapeAsync();
            return Value(after, "gitplelive_deliveries_total") >= deliveries + 1
                && Value(after, "gitplelive_messages_sent_total") >= sent + 1
                && Value(after, "gitplelive_send_duration_seconds_count") >= sends + 1
                // ASP.NET Core records a request's duration after its answer is written, so it may show one scrape later.
                && Value(after, "http_server_request_duration_seconds_count") is not null;
        }, "the message's series on /metrics");
        Assert.NotNull(Value(after, "gitplelive_send_duration_seconds_bucket"));
        // ASP.NET Core's and the runtime's own series are there too.
        Assert.NotNull(Value(after, "http_server_request_duration_seconds_count"));
        Assert.Contains("dotnet_gc_", after);
    }

    [Fact]
    public void The_dashboard_queries_only_series_the_server_declares()
    {
        var declared = new HashSet<string>();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name != ChatMetrics.MeterName) return;
                var name = instrument.Name.Replace('.', '_') + (instrument.Unit == "s" ? "_seconds" : "");
                declared.Add(instrument.GetType().Name.StartsWith("Counter", StringComparison.Ordinal) ? name + "_total" : name);
            };
            listener.Start();
        }
        Assert.Contains("gitplelive_connections", declared);
        Assert.Contains("gitplelive_deliveries_total", declared);
        Assert.Contains("gitplelive_push_queue_depth", declared);

        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "GitpleLive.slnx"))) root = Path.GetDirectoryName(root)!;
        var dashboard = File.ReadAllText(Path.Combine(root, "docs", "grafana-dashboard.json"));
        var used = Regex.Matches(dashboard, "gitplelive_[a-z_]+").Select(m => Regex.Replace(m.Value, "_(bucket|count|sum)$", ""))
            .Where(n => n != "gitplelive_server").ToHashSet();
        Assert.True(used.Count >= 10, string.Join(", ", used));
        Assert.Empty(used.Except(declared));
        Assert.Empty(declared.Except(used));
    }
}
