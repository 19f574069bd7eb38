namespace GitpleLive.Server.Hosting;

/// <summary>
/// Operator commands that work on the store directly, with the server's own configuration:
/// <c>apps list</c>, <c>apps create NAME [--allow-tokenless]</c>.
/// </summary>
public static class AdminCommands
{
    public static async Task<int> RunAsync(string[] args)
    {
        var verb = args.Length > 1 ? args[1] : "";
        var rest = args.Skip(2).ToList();
        var tokenless = rest.Remove("--allow-tokenless");
        var name = rest.Count > 0 && !rest[0].StartsWith("--", StringComparison.Ordinal) ? rest[0] : null;
        if (name is not null) rest.RemoveAt(0);

        var app = ChatServer.Build(rest.ToArray());
        await ChatServer.PrepareAsync(app);
        var apps = app.Services.GetRequiredService<AppService>();
        switch (verb)
        {
            case "list":
                foreach (var a in await apps.ListAsync())
                    Console.WriteLine($"{a.AppId}\t{a.Name}\ttokenless={(a.AllowTokenless ? "on" : "off")}");
                return 0;
            case "create" when name is not null:
                var created = await apps.CreateAsync(null, name, null, tokenless);
                Console.WriteLine($"APP_ID={created.AppId}");
                Console.WriteLine($"APP_API_KEY={created.ApiKey}");
                return 0;
            default:
                Console.Error.WriteLine(
                    "usage: GitpleLive.Server apps list | apps create NAME [--allow-tokenless] [--GitpleLive:Setting=value ...]");
                return 2;
        }
    }
}
