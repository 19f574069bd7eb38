using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using GitpleLive.Server.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GitpleLive.TestHost;

/// <summary>
/// An app backend's webhook endpoint, as a local fake: Kestrel on 127.0.0.1, a free port. It checks every request's
/// signature with <see cref="Secret"/> (401 when it does not match), then answers what <see cref="Respond"/> says
/// (default 200) and records the accepted bodies in arrival order.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Received> _accepted = new();
    private readonly ConcurrentQueue<Attempt> _attempts = new();
    private readonly SemaphoreSlim _signal = new(0);

    /// <summary>A request that passed the signature check and was answered 2xx.</summary>
    public sealed record Received(JsonObject Body, string Raw, long Timestamp, string Signature, string DeliveryId, DateTimeOffset At)
    {
        public string Category => Body["category"]!.GetValue<string>();
    }

    /// <summary>Every request, whatever it was answered (0: the sender gave up waiting).</summary>
    public sealed record Attempt(string DeliveryId, string Category, int Status, JsonObject Body);

    private WebhookReceiver(WebApplication app, string secret)
    {
        _app = app;
        Secret = secret;
    }

    /// <summary>The secret signatures are checked with (change it to make the receiver refuse them).</summary>
    public string Secret { get; set; }

    /// <summary>Decides the answer to a correctly signed request: a status, and an optional delay before it.</summary>
    public Func<JsonObject, (int Status, TimeSpan Delay)>? Respond { get; set; }

    public string Url => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";

    public IReadOnlyList<Received> Accepted => _accepted.ToArray();
    public IReadOnlyList<Attempt> Attempts => _attempts.ToArray();

    public static async Task<WebhookReceiver> StartAsync(string secret)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, secret);
        app.MapPost("/hook", receiver.HandleAsync);
        await app.StartAsync();
        return receiver;
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        var bytes = buffer.ToArray();
        var stampText = http.Request.Headers[WebhookSignature.TimestampHeader].ToString();
        var signature = http.Request.Headers[WebhookSignature.SignatureHeader].ToString();
        var body = JsonNode.Parse(bytes)!.AsObject();
        var id = body["delivery_id"]?.GetValue<string>() ?? "";
        var category = body["category"]?.GetValue<string>() ?? "";
        if (!long.TryParse(stampText, out var stamp) || !WebhookSignature.Verify(Secret, stamp, bytes, signature))
        {
            _attempts.Enqueue(new Attempt(id, category, 401, body));
            http.Response.StatusCode = 401;
            _signal.Release();
            return;
        }
        var (status, delay) = Respond?.Invoke(body) ?? (200, TimeSpan.Zero);
        if (delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(delay, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                _attempts.Enqueue(new Attempt(id, category, 0, body));
                return;
            }
        }
        _attempts.Enqueue(new Attempt(id, category, status, body));
        if (status is >= 200 and < 300)
            _accepted.Enqueue(new Received(body, System.Text.Encoding.UTF8.GetString(bytes), stamp, signature, id,
                DateTimeOffset.UtcNow));
        http.Response.StatusCode = status;
        _signal.Release();
    }

    /// <summary>Waits until <paramref name="done"/> holds for the accepted requests (default timeout 20 s).</summary>
    public async Task<IReadOnlyList<Received>> WaitAsync(Func<IReadOnlyList<Received>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var all = Accepted;
            if (done(all)) return all;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException("the receiver did not get what was expected; it got: "
                    + string.Join(", ", all.Select(r => r.Category)) + "; attempts: "
                    + string.Join(", ", Attempts.Select(a => $"{a.Category}={a.Status}")));
            await _signal.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Waits for the first accepted delivery of <paramref name="category"/> matching <paramref name="match"/>.</summary>
    public async Task<Received> WaitForAsync(string category, Func<JsonObject, bool>? match = null, TimeSpan? timeout = null) =>
        (await WaitAsync(all => all.Any(r => r.Category == category && (match?.Invoke(r.Body) ?? true)), timeout))
        .First(r => r.Category == category && (match?.Invoke(r.Body) ?? true));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
