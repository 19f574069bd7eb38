using GitpleLive.Bench;

// Run socket completions on the event thread instead of queueing them to the thread pool: the
// generator's receive loops do little work per packet, and the hop costs more than the work.
// Read once when the first socket is created, so it has to be set before anything touches the network.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") is null)
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");

return await BenchApp.RunAsync(args);
