using System.Text;
using GitpleLive.Bench.Mqtt;
using GitpleLive.Bench.Targets;
using HdrHistogram;
using Spectre.Console;

namespace GitpleLive.Bench.Scenarios;

/// <summary>Who is in which channel: users are numbered, channel c holds users c·M … c·M+M−1.</summary>
public sealed class FanoutLayout(int users, int members, string appId)
{
    public int Members { get; } = members;
    public int Channels { get; } = users / members;
    public int Users => Channels * Members;
    public string AppId { get; } = appId;
    public string TopicPrefix => PrefixOf(AppId);

    /// <summary>The topic prefix of <paramref name="appId"/> (PROTOCOL §6).</summary>
    public static string PrefixOf(string appId) => $"mqtt/topic/gitple/live/{appId}";

    /// <summary>An MQTT client id as the SDKs send it: <c>{app}::{user}::{device}::{ms}::{ip}</c>.</summary>
    public static string ClientIdOf(string appId, string userId) =>
        $"{appId}::{userId}::bench::{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}::127.0.0.1";

    public static string UserId(int user) => $"bench-u{user:D6}";
    public static string ChannelId(int channel) => $"bench-ch{channel:D5}";
    public int ChannelOf(int user) => user / Members;
    public int CreatorOf(int channel) => channel * Members;

    /// <summary>The subscriptions of PROTOCOL §6 for a member of one group channel.</summary>
    public string[] Filters(int user) =>
    [
        $"{TopicPrefix}/user/all/{UserId(user)}/#",
        $"{TopicPrefix}/channel/group/{ChannelId(ChannelOf(user))}/all/#",
    ];

    public string MessageTopic(int channel) => $"{TopicPrefix}/channel/group/{ChannelId(channel)}/all/group:message_send";

    public string ClientId(int user) => ClientIdOf(AppId, UserId(user));
}

/// <summary>Counters of one step, written by the sender and every receive loop.</summary>
public sealed class StepCounters
{
    public long Sent;
    public long NotOffered;
    public long SendErrors;
    public long Received;
    /// <summary>Send→receive latency in microseconds.</summary>
    public readonly LongConcurrentHistogram Latency = new(1, 120_000_000, 3);
}

/// <summary>A broker under fan-out load: the chat server, or Mosquitto relaying the same payloads.</summary>
public interface IFanoutTarget : IDisposable
{
    string Name { get; }
    int Pid { get; }
    Uri WsUri { get; }
    bool IsServer { get; }
    int PayloadBytes { get; }

    /// <summary>Creates users, tokens and channels (server) or publisher connections (Mosquitto).</summary>
    Task PrepareAsync(FanoutLayout layout, ProgressTask progress, CancellationToken cancellationToken);

    (string? UserName, string? Password) Credentials(int user);

    /// <summary>Starts one message to <paramref name="channel"/>; false when it cannot be offered now.</summary>
    bool TrySend(int channel, int step, long sequence, long scheduledTimestamp, StepCounters counters);

    /// <summary>Waits for sends still in flight (bounded).</summary>
    Task DrainAsync(TimeSpan timeout);
}

/// <summary>The chat server: users, tokens and channels through REST, messages sent as REST POSTs.</summary>
public sealed class ServerFanoutTarget(BenchContext ctx, ServerHost host) : IFanoutTarget
{
    private readonly GitpleApi _api = new(host.BaseUri, ServerHost.AppId, host.ApiKey, ctx.Options.MaxInFlight);
    private readonly PayloadTemplate _body = PayloadTemplate.FromString(
        Encoding.UTF8.GetString(GitpleApi.TextBody(Marker.PlaceholderContent(ctx.Options.ContentSize))));
    private GitpleApi.BenchUser[] _users = [];
    private FanoutLayout? _layout;
    private int _inFlight;

    public string Name => "server";
    public int Pid => host.Pid;
    public Uri WsUri => host.WsUri;
    public bool IsServer => true;
    public int PayloadBytes => ctx.ServerPayload?.Length ?? 0;
    public ServerHost Host => host;

    public async Task PrepareAsync(FanoutLayout layout, ProgressTask progress, CancellationToken cancellationToken)
    {
        _layout = layout;
        _users = new GitpleApi.BenchUser[layout.Users];
        progress.MaxValue = layout.Users + layout.Channels;
        var userParallel = new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, layout.Users), userParallel,
            async (i, token) =>
            {
                _users[i] = await _api.CreateSdkUserAsync(FanoutLayout.UserId(i), $"bench user {i}", token);
                progress.Increment(1);
            });
        var channelParallel = new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, layout.Channels), channelParallel,
            async (c, token) =>
            {
                var creator = _users[layout.CreatorOf(c)];
                var members = Enumerable.Range(c * layout.Members + 1, layout.Members - 1).Select(FanoutLayout.UserId);
                await _api.CreateChannelAsync(creator, FanoutLayout.ChannelId(c), $"bench channel {c}", members, token);
                progress.Increment(1);
            });
    }

    public (string? UserName, string? Password) Credentials(int user) => (_users[user].UserId, _users[user].SdkToken);

    public bool TrySend(int channel, int step, long sequence, long scheduledTimestamp, StepCounters counters)
    {
        if (Interlocked.Increment(ref _inFlight) > ctx.Options.MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            return false;
        }
        var body = _body.Build(step, sequence, scheduledTimestamp);
        var request = _api.SendTextRequest(_users[_layout!.CreatorOf(channel)], FanoutLayout.ChannelId(channel), body);
        _ = PostAsync(request, counters);
        return true;
    }

    private async Task PostAsync(HttpRequestMessage request, StepCounters counters)
    {
        try
        {
            using (request)
            using (var response = await _api.Http.SendAsync(request, CancellationToken.None))
            {
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref counters.SendErrors);
            }
        }
        catch
        {
            Interlocked.Increment(ref counters.SendErrors);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public async Task DrainAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Volatile.Read(ref _inFlight) > 0 && DateTime.UtcNow < deadline) await Task.Delay(20);
    }

    public void Dispose()
    {
        _api.Dispose();
        host.Dispose();
    }
}

/// <summary>
/// Mosquitto: the server's event payloads published QoS 0 on the same topics by a publisher process of its own
/// (<see cref="PublisherProcess"/>), pinned to the broker's CPU so that the receivers in the bench have CPU 1 to
/// themselves — as in <c>fanout-events</c>, where the server's own generator shares the server's core.
/// </summary>
public sealed class MosquittoFanoutTarget(BenchContext ctx, MosquittoHost host) : IFanoutTarget
{
    private PublisherProcess? _publisher;
    private PayloadTemplate _payload = null!;

    public string Name => "mosquitto";
    public int Pid => host.Pid;
    public Uri WsUri => host.WsUri;
    public bool IsServer => false;
    public int PayloadBytes => _payload?.Length ?? 0;

    /// <summary>The publisher process (its CPU time is reported beside the broker's).</summary>
    public int? PublisherPid => _publisher?.Pid;

    public async Task PrepareAsync(FanoutLayout layout, ProgressTask progress, CancellationToken cancellationToken)
    {
        _payload = ctx.ServerPayload
            ?? PayloadTemplate.SyntheticEvent(FanoutLayout.ChannelId(0), FanoutLayout.UserId(0), ctx.Options.ContentSize);
        if (ctx.ServerPayload is null)
            ctx.Note("Mosquitto baseline uses a synthetic event payload shaped like the server's " +
                "(no server fan-out ran before it in this run).");
        var topics = Enumerable.Range(0, layout.Channels).Select(layout.MessageTopic).ToList();
        progress.MaxValue = 1;
        var logs = Path.Combine(ctx.ResultsDirectory, "logs");
        _publisher = await PublisherProcess.StartAsync(host.WsUri, _payload, topics, ctx.Options.Pin ? ctx.Options.ServerCpu : null,
            logs, Path.Combine(logs, "mosquitto-publisher.log"), cancellationToken);
        progress.Increment(1);
    }

    public (string? UserName, string? Password) Credentials(int user) => (FanoutLayout.UserId(user), null);

    public bool TrySend(int channel, int step, long sequence, long scheduledTimestamp, StepCounters counters) =>
        _publisher!.TrySend(channel, step, sequence, scheduledTimestamp, counters);

    public Task DrainAsync(TimeSpan timeout) => Task.CompletedTask;

    public void Dispose()
    {
        _publisher?.Dispose();
        host.Dispose();
    }
}
