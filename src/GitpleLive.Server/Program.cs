using GitpleLive.Server.Hosting;

var app = ChatServer.Build(args);
await ChatServer.PrepareAsync(app);
await app.RunAsync();
