
if (ServerHelp.IsHelp(args))
{
    ServerHelp.Write(Console.Out);
    return 0;
}

// Until the server is up, a failure to start is reported below as one line; the host's own log of it
// (with the stack trace) would only bury that line.
var starting = true;
WebApplication app;
try
{
    if (args.Length > 0 && args[0] == "apps")
        return await AdminCommands.RunAsync(args);
    app = ChatServer.Build(args, b => b.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host",
        level => level >= LogLevel.Information && !(starting && level >= LogLevel.Error)));
    await ChatServer.PrepareAsync(app);
    await app.StartAsync();
    starting = false;
}
catch (Exception e)
{
    // One line naming what to fix; the stack trace helps no operator here.
    Console.Error.WriteLine("GitpleLive.Server: " + StartupErrors.Describe(e));
    return 1;
}
await app.WaitForShutdownAsync();
await app.DisposeAsync();
return 0;
