using HdrHistogram;
using System.Diagnostics;
using GitpleLive.Bench.Mqtt;
using GitpleLive.Bench.Sys;
using Spectre.Console;

namespace GitpleLive.Bench.Scenarios;

/// <summary>
/// Fan-out: C subscribers in channels of M, senders at a fixed rate R that steps up until a step loses a
/// delivery, cannot be offered, or its p99 goes over the limit. The same code drives the server and
/// Mosquitto; only <see cref="IFanoutTarget"/> differs.
/// </summary>
public static class FanoutScenario
{
    private const long MaxLatencyUs = 120_000_000 - 1;

    public static async Task<FanoutResult> RunAsync(BenchContext ctx, IFanoutTarget target, CancellationToken cancellationToken)
    {
        var o = ctx.Options;
        var layout = new FanoutLayout(o.Users, o.Members, Targets.ServerHost.AppId);
        var result = new FanoutResult
        {
            Target = target.Name,
            Users = layout.Users,
            Members = layout.Members,
            Channels = layout.Channels,
            WarmupSeconds = o.WarmupSeconds,
        };
        if (layout.Users != o.Users)
            ctx.Note($"fanout: {o.Users} users do not fill channels of {o.Members}; using {layout.Users}.");

        var steps = new StepCounters[Math.Min(999, (o.MaxSteps + 1) * (o.Retries + 1) + 1)];
        for (int i = 0; i < steps.Length; i++) steps[i] = new StepCounters();
        int captured = 0;
        var generated = target as IGeneratedFanoutTarget;
        // Server-generated events carry UTC ticks, not a step: each slot's run starts at a known time.
        var slotStart = new long[steps.Length];
        Array.Fill(slotStart, long.MaxValue);
        int highestSlot = -1;
        void OnPublish(ReadOnlySpan<byte> topic, ReadOnlySpan<byte> payload)
        {
            if (generated is not null)
            {
                if (!EventMarker.TryRead(payload, out _, out var ticks)) return;
                long receivedAt = DateTime.UtcNow.Ticks;
                int slot = Volatile.Read(ref highestSlot);
                while (slot >= 0 && Volatile.Read(ref slotStart[slot]) > ticks) slot--;
                if (slot < 0) return;
                var c = steps[slot];
                Interlocked.Increment(ref c.Received);
                c.Latency.RecordValue(Math.Clamp((receivedAt - ticks) / 10, 1, MaxLatencyUs));
                (target as ServerEventsFanoutTarget)?.SeenPayload(payload.Length);
                return;
            }
            if (!Marker.TryRead(payload, out var step, out var sentAt)) return;
            long now = Stopwatch.GetTimestamp();
            if ((uint)step >= (uint)steps.Length) return;
            var counters = steps[step];
            Interlocked.Increment(ref counters.Received);
            long us = (now - sentAt) * 1_000_000 / Stopwatch.Frequency;
            counters.Latency.RecordValue(Math.Clamp(us, 1, MaxLatencyUs));
            if (target.IsServer && ctx.ServerPayload is null && Interlocked.Exchange(ref captured, 1) == 0)
                ctx.ServerPayload = new PayloadTemplate(payload);
        }

        var settings = new LeanMqttSettings { ReceiveBufferSize = 16 * 1024, KeepAliveSeconds = 60 };
        var clients = new LeanMqttClient?[layout.Users];
        using var runCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task? pinger = null;
        try
        {
            await Ui.ProgressAsync(async progress =>
            {
                var setup = progress.AddTask(Ui.Esc($"{target.Name}: setup ({layout.Users} users, {layout.Channels} channels)"));
                var sw = Stopwatch.StartNew();
                await target.PrepareAsync(layout, setup, cancellationToken);
                setup.Value = setup.MaxValue;
                result.SetupSeconds = sw.Elapsed.TotalSeconds;

                var connect = progress.AddTask(
                    Ui.Esc($"{target.Name}: connect {layout.Users} MQTT/WS subscribers"), maxValue: layout.Users);
                sw.Restart();
                await Parallel.ForEachAsync(Enumerable.Range(0, layout.Users),
                    new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
                    async (i, token) =>
                    {
                        var (user, password) = target.Credentials(i);
                        var client = await LeanMqttClient.ConnectAsync(
                            target.WsUri, layout.ClientId(i), user, password, settings, OnPublish, token);
                        clients[i] = client;
                        var codes = await client.SubscribeAsync(layout.Filters(i), token);
                        if (codes.Any(c => c >= 0x80))
                            throw new InvalidOperationException(
                                $"subscription refused for {FanoutLayout.UserId(i)}: {string.Join(',', codes)}");
                        connect.Increment(1);
                    });
                result.ConnectSeconds = sw.Elapsed.TotalSeconds;
                pinger = PingLoopAsync(clients, runCts.Token);

                long sequence = 0;
                // Generated runs skip the low steps (the REST and Mosquitto runs cover them) but keep
                // the same step numbers and rates, so steps compare one to one.
                int firstStep = 1;
                if (generated is not null)
                    while (firstStep < o.MaxSteps && o.RateOf(firstStep) < o.EventsRateFloor) firstStep++;
                int warmRate = o.RateOf(firstStep);
                var warm = progress.AddTask(Ui.Esc($"{target.Name}: warm-up {o.WarmupSeconds:0} s at {warmRate} msg/s"), maxValue: 100);
                Task<PhaseMeasure> Phase(int slot, int rate, double seconds, ProgressTask task, CancellationToken token) =>
                    generated is null
                        ? PaceAsync(target, layout, steps[slot], slot, rate, seconds, task, () => sequence, v => sequence = v, token)
                        : GenerateAsync(generated, steps[slot], rate, seconds, task, () =>
                        {
                            Volatile.Write(ref slotStart[slot], DateTime.UtcNow.Ticks);
                            Volatile.Write(ref highestSlot, slot);
                        }, token);
                await Phase(0, warmRate, o.WarmupSeconds, warm, cancellationToken);
                warm.Value = 100;
                await Task.Delay(TimeSpan.FromSeconds(o.GraceSeconds), cancellationToken);

                int nextSlot = 1;
                StepPhase Start(int s, int attempt)
                {
                    int rate = o.RateOf(s);
                    int slot = nextSlot++;
                    var label = attempt == 0 ? $"step {s}" : $"step {s} (retry {attempt})";
                    var task = progress.AddTask(
                        Ui.Esc($"{target.Name}: {label} at {rate} msg/s ({rate * layout.Members:N0} deliveries/s offered)"),
                        maxValue: 100);
                    var phaseCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var run = Phase(slot, rate, o.StepSeconds, task, phaseCts.Token);
                    return new StepPhase(s, attempt, slot, rate, task, run, phaseCts);
                }

                var current = Start(firstStep, 0);
                while (true)
                {
                    var measured = await current.Run;
                    bool lastSlot = nextSlot >= steps.Length;
                    var next = current.Step < o.MaxSteps && !lastSlot ? Start(current.Step + 1, 0) : null;
                    await Task.Delay(TimeSpan.FromSeconds(o.GraceSeconds), cancellationToken);
                    var step = Evaluate(ctx, layout, current, steps[current.Slot], measured);
                    result.Steps.Add(step);
                    current.Task.Value = 100;
                    current.Task.Description = Ui.Esc(
                        $"{target.Name}: step {step.Step}{(step.Attempt > 0 ? $" (retry {step.Attempt})" : "")} " +
                        $"at {step.RateMessages} msg/s: " +
                        $"{step.DeliveriesPerSecond:N0} deliveries/s, p99 {step.P99Ms:0.0} ms, lost {step.Lost}: {step.Verdict}");
                    if (!step.Passed && o.StopOnFailure)
                    {
                        if (next is not null)
                        {
                            next.Cancel.Cancel();
                            try { await next.Run; } catch (OperationCanceledException) { }
                            next.Task.Description = Ui.Esc($"{target.Name}: step {next.Step} not measured");
                            next.Task.StopTask();
                        }
                        // A failed step is run again before the run stops: one noisy moment on a shared
                        // machine should not end it.
                        if (current.Attempt < o.Retries && nextSlot < steps.Length)
                        {
                            current = Start(current.Step, current.Attempt + 1);
                            continue;
                        }
                        result.StopReason =
                            $"step {step.Step} ({step.RateMessages} msg/s) failed {current.Attempt + 1} time(s); last: {step.Verdict}";
                        break;
                    }
                    if (next is null)
                    {
                        result.StopReason ??= $"all {o.MaxSteps} steps run";
                        break;
                    }
                    current = next;
                }
            });
            await target.DrainAsync(TimeSpan.FromSeconds(5));
        }
        finally
        {
            runCts.Cancel();
            if (pinger is not null) try { await pinger; } catch { }
            result.Disconnects = clients.Count(c => c is not null && c.Closed.IsCompleted);
            result.TotalDeliveries = steps.Sum(s => Interlocked.Read(ref s.Received));
            result.PayloadBytes = target.PayloadBytes;
            foreach (var c in clients) c?.Abort();
        }

        var passed = result.Steps.Where(s => s.Passed).ToList();
        result.MaxSustainableDeliveriesPerSecond = passed.Count == 0 ? 0 : passed.Max(s => s.DeliveriesPerSecond);
        if (result.Disconnects > 0)
            ctx.Note($"{target.Name}: {result.Disconnects} subscriber connections dropped during the fan-out run.");
        return result;
    }

    private sealed record StepPhase(
        int Step, int Attempt, int Slot, int Rate, ProgressTask Task, Task<PhaseMeasure> Run, CancellationTokenSource Cancel);

    private sealed record PhaseMeasure(double Seconds, double ServerCpu, double GeneratorCpu, long ServerRss);

    /// <summary>
    /// Reads a histogram that a late delivery may still be recording into: HdrHistogram's iterators refuse a
    /// histogram that changed under them, so the read is tried again (a few late samples more or less is noise).
    /// </summary>
    private static long Read(HistogramBase histogram, Func<HistogramBase, long> read)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return histogram.TotalCount == 0 ? 0 : read(histogram);
            }
            catch (InvalidOperationException) when (attempt < 20)
            {
                Thread.Sleep(5);
            }
        }
    }

    private static StepResult Evaluate(BenchContext ctx, FanoutLayout layout, StepPhase phase, StepCounters c, PhaseMeasure m)
    {
        var o = ctx.Options;
        long sent = Interlocked.Read(ref c.Sent);
        long received = Interlocked.Read(ref c.Received);
        long expected = sent * layout.Members;
        var h = c.Latency;
        var step = new StepResult
        {
            Step = phase.Step,
            Attempt = phase.Attempt,
            RateMessages = phase.Rate,
            OfferedDeliveriesPerSecond = phase.Rate * (double)layout.Members,
            Sent = sent,
            NotOffered = Interlocked.Read(ref c.NotOffered),
            SendErrors = Interlocked.Read(ref c.SendErrors),
            Expected = expected,
            Received = received,
            Lost = Math.Max(0, expected - received),
            DeliveriesPerSecond = received / m.Seconds,
            P50Ms = Read(h, x => x.GetValueAtPercentile(50)) / 1000.0,
            P99Ms = Read(h, x => x.GetValueAtPercentile(99)) / 1000.0,
            MaxMs = Read(h, x => x.GetMaxValue()) / 1000.0,
            ServerCpuPercent = m.ServerCpu,
            ServerRssMb = m.ServerRss / 1048576.0,
            GeneratorCpuPercent = m.GeneratorCpu,
        };
        var problems = new List<string>();
        if (step.NotOffered > 0) problems.Add($"{step.NotOffered} sends not offered (backlog)");
        if (step.SendErrors > 0) problems.Add($"{step.SendErrors} send errors");
        if (step.Lost > 0) problems.Add($"{step.Lost} deliveries lost");
        if (step.P99Ms > o.P99LimitMs) problems.Add($"p99 {step.P99Ms:0.0} ms > {o.P99LimitMs:0} ms");
        if (received == 0) problems.Add("nothing delivered");
        step.Passed = problems.Count == 0;
        step.Verdict = step.Passed ? "pass" : string.Join("; ", problems);
        return step;
    }

    /// <summary>
    /// Offers <paramref name="rate"/> messages per second for <paramref name="seconds"/> on a dedicated
    /// thread; each message carries its scheduled send time, so a late sender shows up as latency.
    /// </summary>
    private static Task<PhaseMeasure> PaceAsync(IFanoutTarget target, FanoutLayout layout, StepCounters counters, int step,
        double rate, double seconds, ProgressTask? task, Func<long> getSequence, Action<long> setSequence,
        CancellationToken cancellationToken)
    {
        return Task.Factory.StartNew(() =>
        {
            var serverCpu = new CpuMeter(target.Pid);
            var generatorCpu = new CpuMeter(0);
            long total = (long)(rate * seconds);
            double ticksPerMessage = Stopwatch.Frequency / rate;
            long start = Stopwatch.GetTimestamp();
            long n = 0, sequence = getSequence();
            long lastUpdate = start;
            while (n < total && !cancellationToken.IsCancellationRequested)
            {
                long now = Stopwatch.GetTimestamp();
                long due = Math.Min(total, (long)((now - start) / ticksPerMessage) + 1);
                while (n < due)
                {
                    long scheduled = start + (long)(n * ticksPerMessage);
                    int channel = (int)(sequence % layout.Channels);
                    if (target.TrySend(channel, step, sequence, scheduled, counters)) counters.Sent++;
                    else counters.NotOffered++;
                    n++;
                    sequence++;
                }
                if (task is not null && now - lastUpdate > Stopwatch.Frequency / 5)
                {
                    task.Value = 100.0 * n / total;
                    lastUpdate = now;
                }
                Thread.Sleep(1);
            }
            // Let the last scheduled slot pass so the step lasts its full duration.
            var end = start + (long)(seconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < end && !cancellationToken.IsCancellationRequested) Thread.Sleep(1);
            setSequence(sequence);
            if (task is not null) task.Value = 100;
            cancellationToken.ThrowIfCancellationRequested();
            return new PhaseMeasure(Stopwatch.GetElapsedTime(start).TotalSeconds, serverCpu.Percent(), generatorCpu.Percent(),
                ProcStats.RssBytes(target.Pid));
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// One phase of server-generated load: the server publishes <paramref name="rate"/> events/s for
    /// <paramref name="seconds"/>; afterwards the number it published is the phase's sent count, and a
    /// generator that fell more than 1 % behind its schedule counts the shortfall as not offered.
    /// </summary>
    private static async Task<PhaseMeasure> GenerateAsync(IGeneratedFanoutTarget target, StepCounters counters, int rate, double seconds,
        ProgressTask? task, Action markStart, CancellationToken cancellationToken)
    {
        int whole = Math.Max(1, (int)Math.Ceiling(seconds));
        var serverCpu = new CpuMeter(target.Pid);
        var benchCpu = new CpuMeter(0);
        markStart();
        long start = Stopwatch.GetTimestamp();
        try
        {
            await target.StartAsync(rate, whole, cancellationToken);
            while (Stopwatch.GetElapsedTime(start).TotalSeconds < whole)
            {
                await Task.Delay(200, cancellationToken);
                if (task is not null) task.Value = Math.Min(100, 100 * Stopwatch.GetElapsedTime(start).TotalSeconds / whole);
            }
            // The server stops the run on its own timer; let its last event leave before counting.
            await Task.Delay(150, cancellationToken);
            long published = await target.PublishedAsync(cancellationToken);
            counters.Sent = published;
            long scheduled = (long)rate * whole;
            if (published < scheduled * 0.99) counters.NotOffered = scheduled - published;
        }
        catch (OperationCanceledException)
        {
            try { await target.StopAsync(CancellationToken.None); } catch { }
            throw;
        }
        if (task is not null) task.Value = 100;
        return new PhaseMeasure(whole, serverCpu.Percent(), benchCpu.Percent(), ProcStats.RssBytes(target.Pid));
    }

    private static async Task PingLoopAsync(LeanMqttClient?[] clients, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(25), cancellationToken);
                foreach (var c in clients)
                    if (c is not null && c.IsOpen) c.Enqueue(MqttFrames.PingReq);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
