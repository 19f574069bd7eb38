using System.Diagnostics.Metrics;
using GitpleLive.Server.Operations;

namespace GitpleLive.Server.OperatorConsole;

/// <summary>
/// The console's live figures, read from the same instruments as <c>/metrics</c> (<see cref="ChatMetrics"/>): a
/// <see cref="MeterListener"/> sums the counters and reads the connection gauge, and a sample is kept every second
/// for the last two minutes, so a page opened now has a chart at once.
/// </summary>
public sealed class ConsoleStats : IHostedService, IDisposable
{
    /// <summary>Samples kept (one a second).</summary>
    public const int History = 120;

    private static readonly HashSet<string> Instruments =
        ["gitplelive.deliveries", "gitplelive.messages_sent", "gitplelive.slow_consumers_cut", "gitplelive.connections"];

    private readonly TimeProvider _time;
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly Queue<StatsSample> _samples = new();
    private ITimer? _timer;
    private long _deliveries, _messages, _slowCuts, _connections;
    private (long Deliveries, long Messages, long Stamp)? _last;

    public ConsoleStats(TimeProvider time)
    {
        _time = time;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ChatMetrics.MeterName && Instruments.Contains(instrument.Name))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case "gitplelive.deliveries": Interlocked.Add(ref _deliveries, value); break;
                case "gitplelive.messages_sent": Interlocked.Add(ref _messages, value); break;
                case "gitplelive.slow_consumers_cut": Interlocked.Add(ref _slowCuts, value); break;
                // An observable gauge reports its whole value each time it is read.
                case "gitplelive.connections": Volatile.Write(ref _connections, value); break;
            }
        });
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        Sample();
        _timer = _time.CreateTimer(_ => Sample(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _timer?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Takes a sample now: the rates since the previous one.</summary>
    internal void Sample()
    {
        lock (_gate)
        {
            _listener.RecordObservableInstruments();
            var deliveries = Interlocked.Read(ref _deliveries);
            var messages = Interlocked.Read(ref _messages);
            var stamp = _time.GetTimestamp();
            double messagesPerSecond = 0, deliveriesPerSecond = 0;
            if (_last is { } last)
            {
                var seconds = _time.GetElapsedTime(last.Stamp, stamp).TotalSeconds;
                if (seconds > 0)
                {
                    messagesPerSecond = (messages - last.Messages) / seconds;
                    deliveriesPerSecond = (deliveries - last.Deliveries) / seconds;
                }
            }
            _last = (deliveries, messages, stamp);
            _samples.Enqueue(new StatsSample(_time.GetUtcNow().ToUnixTimeMilliseconds(), Volatile.Read(ref _connections),
                Math.Round(messagesPerSecond, 2), Math.Round(deliveriesPerSecond, 2), Interlocked.Read(ref _slowCuts), messages,
                deliveries));
            while (_samples.Count > History) _samples.Dequeue();
        }
    }

    /// <summary>The latest sample and the ones before it, oldest first.</summary>
    public StatsDto Read()
    {
        lock (_gate)
        {
            var all = _samples.ToArray();
            return new StatsDto(all.Length > 0 ? all[^1] : new StatsSample(0, 0, 0, 0, 0, 0, 0), all);
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        _listener.Dispose();
    }
}

/// <summary>
/// One second of this process's figures: open connections, messages and deliveries per second over the last second,
/// and the totals of slow consumers cut, messages sent and deliveries since start.
/// </summary>
public sealed record StatsSample(long At, long Connections, double MessagesPerSecond, double DeliveriesPerSecond,
    long SlowConsumersCut, long MessagesTotal, long DeliveriesTotal);

public sealed record StatsDto(StatsSample Now, IReadOnlyList<StatsSample> History);
