using System.Text.Json;

namespace GitpleLive.Chat.Tests.EndToEnd;

/// <summary>
/// An HTTP handler for <see cref="ChatClientOptions.HttpMessageHandler"/> that passes every REST call on to the
/// server and records the SDK token calls (PROTOCOL §4): what was sent and the token answered.
/// </summary>
public sealed class TokenCalls : DelegatingHandler
{
    private readonly List<TokenCall> _calls = [];
    private readonly List<(Func<List<TokenCall>, bool> Done, TaskCompletionSource Tcs)> _waiters = [];

    public TokenCalls() : base(new SocketsHttpHandler()) { }

    public IReadOnlyList<TokenCall> Calls
    {
        get { lock (_calls) return _calls.ToList(); }
    }

    /// <summary>Completes when the recorded calls satisfy <paramref name="done"/>.</summary>
    public Task WaitAsync(Func<List<TokenCall>, bool> done)
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_calls)
        {
            if (done(_calls)) return Task.CompletedTask;
            _waiters.Add((done, tcs));
        }
        return tcs.Task.WaitAsync(Events.Timeout);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (request.Method != HttpMethod.Post || !path.Contains("/v1/sdk/users/token", StringComparison.Ordinal))
            return await base.SendAsync(request, cancellationToken);
        var sent = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        var answer = await response.Content.ReadAsStringAsync(cancellationToken);
        long? expiresAt = null;
        if (response.IsSuccessStatusCode)
            expiresAt = JsonDocument.Parse(answer).RootElement.GetProperty("expires_at").GetInt64();
        var call = new TokenCall(path, sent, (int)response.StatusCode, expiresAt);
        lock (_calls)
        {
            _calls.Add(call);
            foreach (var w in _waiters.Where(w => w.Done(_calls)).ToList())
            {
                w.Tcs.TrySetResult();
                _waiters.Remove(w);
            }
        }
        return response;
    }
}

/// <summary>One SDK token call: its path, request body, HTTP status and the answered token's end (Unix ms).</summary>
public sealed record TokenCall(string Path, string RequestBody, int Status, long? ExpiresAt);
