using System.Buffers.Binary;
using System.Text;
using GitpleLive.Bench.Mqtt;
using GitpleLive.Bench.Sys;

namespace GitpleLive.Bench.Scenarios;

/// <summary>
/// The Mosquitto baseline's publisher in a process of its own, so it does not share a core with the receivers:
/// the bench (receivers, CPU 1) keeps the schedule and writes one 24-byte record per message to the child's
/// standard input (channel, step, sequence, scheduled Stopwatch timestamp — the same clock in every process);
/// the child (<c>GitpleLive.Bench mosquitto-publisher</c>, pinned to the broker's CPU like the server's own event
/// generator in <c>fanout-events</c>) builds each PUBLISH and sends it on one of its connections, and reports
/// the messages it could not offer (a connection's queue full) per step on its standard output.
/// </summary>
public sealed class PublisherProcess : IDisposable
{
    public const string Command = "mosquitto-publisher";
    private const int RecordBytes = 24;
    private const int Connections = 4;
    private const int MaxQueuedPerConnection = 2_000;
    private readonly ChildProcess _child;
    private readonly Stream _input;
    private readonly byte[] _record = new byte[RecordBytes];
    private readonly Lock _gate = new();
    private readonly Dictionary<int, StepCounters> _steps = [];

    private PublisherProcess(ChildProcess child)
    {
        _child = child;
        _input = child.Input.BaseStream;
        child.LineReceived += OnLine;
    }

    public int Pid => _child.Pid;

    /// <summary>Starts the child on <paramref name="cpu"/> (null: unpinned) and waits until its connections are open.</summary>
    public static async Task<PublisherProcess> StartAsync(
        Uri wsUri, PayloadTemplate payload, IReadOnlyList<string> topics, int? cpu, string workDirectory, string logPath,
        CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(workDirectory);
        var payloadFile = Path.Combine(workDirectory, "publisher-payload.bin");
        var topicsFile = Path.Combine(workDirectory, "publisher-topics.txt");
        await File.WriteAllBytesAsync(payloadFile, payload.Bytes.ToArray(), cancellationToken);
        await File.WriteAllLinesAsync(topicsFile, topics, cancellationToken);
        var (file, args) = Self();
        args.AddRange([Command, wsUri.ToString(), payloadFile, topicsFile]);
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var child = ChildProcess.Start("publisher", file, args, cpu,
            new Dictionary<string, string> { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1" },
            workDirectory, logPath);
        child.LineReceived += line => { if (line == "ready") ready.TrySetResult(); };
        var publisher = new PublisherProcess(child);
        var timeout = Task.Delay(TimeSpan.FromSeconds(60), cancellationToken);
        while (!ready.Task.IsCompleted && !child.RecentOutput().Split('\n').Contains("ready"))
        {
            if (child.HasExited || timeout.IsCompleted)
            {
                publisher.Dispose();
                throw new InvalidOperationException($"the publisher process did not start: {child.RecentOutput()}");
            }
            await Task.WhenAny(ready.Task, Task.Delay(100, cancellationToken));
        }
        return publisher;
    }

    /// <summary>This bench executable (the dotnet host and the dll, or the apphost) and its first arguments.</summary>
    private static (string File, List<string> Args) Self()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var dll = typeof(PublisherProcess).Assembly.Location;
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? (host, [dll]) : (host, []);
    }

    /// <summary>Hands one message to the child (never blocks on the network: a pipe write).</summary>
    public bool TrySend(int channel, int step, long sequence, long scheduledTimestamp, StepCounters counters)
    {
        lock (_gate)
        {
            _steps[step] = counters;
            BinaryPrimitives.WriteInt32LittleEndian(_record, channel);
            BinaryPrimitives.WriteInt32LittleEndian(_record.AsSpan(4), step);
            BinaryPrimitives.WriteInt64LittleEndian(_record.AsSpan(8), sequence);
            BinaryPrimitives.WriteInt64LittleEndian(_record.AsSpan(16), scheduledTimestamp);
            try
            {
                _input.Write(_record);
                _input.Flush();
            }
            catch (IOException)
            {
                Interlocked.Increment(ref counters.SendErrors);
            }
        }
        return true;
    }

    private void OnLine(string line)
    {
        // "dropped STEP COUNT": messages of that step the child could not offer.
        var parts = line.Split(' ');
        if (parts.Length != 3 || parts[0] != "dropped" || !int.TryParse(parts[1], out var step) || !long.TryParse(parts[2], out var n))
            return;
        lock (_gate)
            if (_steps.TryGetValue(step, out var counters)) Interlocked.Add(ref counters.NotOffered, n);
    }

    public void Dispose()
    {
        try
        {
            _input.Dispose();
        }
        catch (IOException)
        {
            // already gone
        }
        _child.Dispose();
    }

    /// <summary>The child's main: connect, then publish every record read from standard input until it closes.</summary>
    public static async Task<int> RunChildAsync(string wsUri, string payloadFile, string topicsFile)
    {
        var payload = new PayloadTemplate(await File.ReadAllBytesAsync(payloadFile));
        var topics = (await File.ReadAllLinesAsync(topicsFile)).Select(Encoding.UTF8.GetBytes).ToArray();
        var settings = new LeanMqttSettings();
        var clients = new List<LeanMqttClient>();
        for (var i = 0; i < Connections; i++)
            clients.Add(await LeanMqttClient.ConnectAsync(new Uri(wsUri), $"bench-publisher-{i}", null, null, settings, null,
                CancellationToken.None));
        var stdout = Console.Out;
        stdout.WriteLine("ready");
        stdout.Flush();
        var dropped = new Dictionary<int, long>();
        var lastReport = Environment.TickCount64;
        using var input = Console.OpenStandardInput();
        var record = new byte[RecordBytes];
        while (true)
        {
            try
            {
                await input.ReadExactlyAsync(record);
            }
            catch (EndOfStreamException)
            {
                break;
            }
            var channel = BinaryPrimitives.ReadInt32LittleEndian(record);
            var step = BinaryPrimitives.ReadInt32LittleEndian(record.AsSpan(4));
            var sequence = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(8));
            var timestamp = BinaryPrimitives.ReadInt64LittleEndian(record.AsSpan(16));
            var client = clients[channel % clients.Count];
            if (!client.IsOpen || client.Queued >= MaxQueuedPerConnection)
                dropped[step] = dropped.GetValueOrDefault(step) + 1;
            else
                client.Enqueue(MqttFrames.PublishQos0(topics[channel], payload.Build(step, sequence, timestamp)));
            if (dropped.Count > 0 && Environment.TickCount64 - lastReport > 200)
            {
                foreach (var (s, n) in dropped) stdout.WriteLine($"dropped {s} {n}");
                stdout.Flush();
                dropped.Clear();
                lastReport = Environment.TickCount64;
            }
        }
        foreach (var (s, n) in dropped) stdout.WriteLine($"dropped {s} {n}");
        stdout.Flush();
        foreach (var c in clients) c.Abort();
        return 0;
    }
}
