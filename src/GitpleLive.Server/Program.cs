using GitpleLive.Server.Hosting;

if (args.Length > 0 && args[0] == "apps")
    return await AdminCommands.RunAsync(args);

var app = ChatServer.Build(args);
await ChatServer.PrepareAsync(app);
await app.RunAsync();
return 0;
