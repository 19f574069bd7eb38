using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using GitpleLive.Bench.Targets;
using Spectre.Console;

namespace GitpleLive.Bench.Scenarios;

/// <summary>
/// A target whose load comes from the broker itself: the scenario asks it to publish at a rate for a
/// number of seconds and reads back how many events it published.
/// </summary>
public interface IGeneratedFanoutTarget : IFanoutTarget
{
    /// <summary>Starts <paramref name="rate"/> events/s (over all channels) for <paramref name="seconds"/>.</summary>
    Task StartAsync(int rate, int seconds, CancellationToken cancellationToken);

    /// <summary>Events published by the current (or last) run.</summary>
    Task<long> PublishedAsync(CancellationToken cancellationToken);

    Task StopAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The chat server with its diagnostics fan-out generator (<c>POST /v1/diagnostics/fanout</c>): synthetic
/// <c>group:message_send</c> events published straight into the server's event path (no HTTP send, no
/// storage). Users, channels and subscriptions are set up exactly as for the REST fan-out.
/// </summary>
public sealed class ServerEventsFanoutTarget(BenchContext ctx, ServerHost host) : IGeneratedFanoutTarget
{
    private readonly ServerFanoutTarget _setup = new(ctx, host);
    private readonly HttpClient _http = new() { BaseAddress = host.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
    private FanoutLayout? _layout;
    private int _payloadBytes;

    public string Name => "server-events";
    public int Pid => host.Pid;
    public Uri WsUri => host.WsUri;
    public bool IsServer => true;
    public int PayloadBytes => _payloadBytes;

    /// <summary>Called by the receive path with the first event's size.</summary>
    public void SeenPayload(int bytes) => Interlocked.CompareExchange(ref _payloadBytes, bytes, 0);

    public Task PrepareAsync(FanoutLayout layout, ProgressTask progress, CancellationToken cancellationToken)
    {
        _layout = layout;
        return _setup.PrepareAsync(layout, progress, cancellationToken);
    }

    public (string? UserName, string? Password) Credentials(int user) => _setup.Credentials(user);

    public bool TrySend(int channel, int step, long sequence, long scheduledTimestamp, StepCounters counters) =>
        throw new NotSupportedException("the server generates this load itself");

    public async Task StartAsync(int rate, int seconds, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["channel_ids"] = new JsonArray(Enumerable.Range(0, _layout!.Channels)
                .Select(c => (JsonNode)JsonValue.Create(FanoutLayout.ChannelId(c))!)
                .ToArray()),
            ["rate"] = rate,
            ["seconds"] = seconds,
            ["content_bytes"] = ctx.Options.ContentSize,
        };
        await SendAsync(HttpMethod.Post, body, cancellationToken);
    }

    public async Task<long> PublishedAsync(CancellationToken cancellationToken) =>
        (await SendAsync(HttpMethod.Get, null, cancellationToken))["published"]?.GetValue<long>() ?? 0;

    public Task StopAsync(CancellationToken cancellationToken) => SendAsync(HttpMethod.Delete, null, cancellationToken);

    private async Task<JsonNode> SendAsync(HttpMethod method, JsonNode? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, "v1/diagnostics/fanout");
        request.Headers.TryAddWithoutValidation("APP_ID", ServerHost.AppId);
        request.Headers.TryAddWithoutValidation("APP_API_KEY", host.ApiKey);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new BenchApiException(
                $"{method} /v1/diagnostics/fanout (is GitpleLive__EnableDiagnostics on?)", response.StatusCode, text);
        return JsonNode.Parse(text) ?? new JsonObject();
    }

    public Task DrainAsync(TimeSpan timeout) => Task.CompletedTask;

    public void Dispose()
    {
        _http.Dispose();
        _setup.Dispose();
    }
}

/// <summary>
/// The server generator's content tag, <c>bench:{sequence}:{UTC ticks}:</c>, found in the event JSON as
/// <c>"bench:</c>. Ticks are <see cref="DateTime.UtcNow"/> at the event's creation (100 ns units).
/// </summary>
public static class EventMarker
{
    private static ReadOnlySpan<byte> Prefix => "\"bench:"u8;

    public static bool TryRead(ReadOnlySpan<byte> payload, out long sequence, out long utcTicks)
    {
        sequence = 0;
        utcTicks = 0;
        int at = payload.IndexOf(Prefix);
        if (at < 0) return false;
        var rest = payload[(at + Prefix.Length)..];
        if (!Number(ref rest, out sequence) || !Number(ref rest, out utcTicks)) return false;
        return true;
    }

    private static bool Number(ref ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        int i = 0;
        while (i < s.Length && (uint)(s[i] - '0') <= 9) value = value * 10 + (s[i++] - '0');
        if (i == 0 || i >= s.Length || s[i] != ':') return false;
        s = s[(i + 1)..];
        return true;
    }
}
