// A terminal chat on the GitpleLive SDK: run it in two terminals as two users in one channel.
// Usage: dotnet run -- <host> <app-id> <api-key> <user-id> <channel-id>
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using GitpleLive.Chat;

if (args.Length < 5)
{
    Console.Error.WriteLine("usage: dotnet run -- <host> <app-id> <api-key> <user-id> <channel-id>");
    Console.Error.WriteLine("  e.g. dotnet run -- localhost:5080 my-app my-key alice lobby");
    return 2;
}
var (host, appId, apiKey, userId, channelId) = (args[0], args[1], args[2], args[3], args[4]);

// 1. Your backend's job, done here for the demo: make sure the user exists and get a session token
//    from the Platform API with the app's API key. Never ship an API key inside a real client.
var sessionToken = await PlatformSessionTokenAsync(host, appId, apiKey, userId);

// 2. The SDK.
await using var client = new ChatClient(new ChatClientOptions { Host = host, AppId = appId });
client.Error += (_, e) => Print($"! {e.Exception.Code} {e.Exception.Name}: {e.Exception.Message}");
client.Connection.ReconnectStarted += (_, _) => Print("… connection lost, reconnecting");
client.Connection.ReconnectSucceeded += (_, _) => Print("… reconnected");
client.Connection.Disconnected += (_, e) => Print($"… disconnected ({e.Reason})");
client.GroupChannel.MessageReceived += (_, e) =>
{
    if (e.Channel.ChannelId != channelId || e.Message.User.UserId == userId) return;
    Print(Format(e.Message));
    _ = client.GroupChannel.ReadMessageAsync(channelId);
};
client.GroupChannel.ChannelJoined += (_, e) =>
{
    if (e.Channel.ChannelId == channelId && e.User.UserId != userId) Print($"* {e.User.Name} joined");
};
client.GroupChannel.ChannelLeft += (_, e) => { if (e.Channel.ChannelId == channelId) Print($"* {e.User.Name} left"); };
client.GroupChannel.MessageRead += (_, e) =>
{
    if (e.Channel.ChannelId != channelId || e.Channel.ReadReceipt is null) return;
    var readers = e.Channel.ReadReceipt.Keys.Where(u => u != userId);
    Print($"  (read by {string.Join(", ", readers)})");
};

try
{
    await client.ConnectUserAsync(userId, sessionToken);
    await JoinOrCreateAsync(client, channelId);
}
catch (GitpleLiveException e)
{
    Console.Error.WriteLine($"error {e.Code} {e.Name}: {e.Message}");
    return 1;
}

Print($"connected as {userId} in #{channelId}. Type a message; /file <path> sends a file; /who lists who is online; /quit leaves.");
var history = await client.GroupChannel.GetMessageListAsync(channelId, new MessageQuery { Limit = 20 });
foreach (var message in history.Messages) Print(Format(message));
await client.GroupChannel.ReadMessageAsync(channelId);

while (Console.ReadLine() is { } line)
{
    try
    {
        if (line == "/quit") break;
        if (line == "/who")
            Print("online: " + string.Join(", ", await client.GroupChannel.GetOnlineMemberListAsync(channelId)));
        else if (line.StartsWith("/file ", StringComparison.Ordinal))
            Print(Format(await client.GroupChannel.SendMessageAsync(channelId, FileUpload.FromFile(line[6..].Trim()))));
        else if (line.Length > 0)
            await client.GroupChannel.SendMessageAsync(channelId, line);
    }
    catch (GitpleLiveException e)
    {
        Print($"! {e.Code} {e.Name}: {e.Message}");
    }
}
await client.DisconnectUserAsync();
return 0;

static async Task JoinOrCreateAsync(ChatClient client, string channelId)
{
    // Reuse: the first user creates the channel, everyone after gets the existing one and joins it.
    await client.GroupChannel.CreateChannelAsync(new CreateGroupChannelOptions { ChannelId = channelId, Name = channelId, Reuse = true });
    try
    {
        await client.GroupChannel.JoinChannelAsync(channelId);
    }
    catch (GitpleLiveException e) when (e.Code == GitpleLiveErrorCode.AlreadyJoined)
    {
    }
}

static string Format(Message m)
{
    var time = DateTimeOffset.FromUnixTimeMilliseconds(m.CreatedAt).ToLocalTime().ToString("HH:mm");
    var body = m.File is { } f ? $"[file {f.Name}, {f.Size} bytes] {f.Url}" : m.Content;
    return $"{time} {m.User.Name}: {body}";
}

static void Print(string text)
{
    lock (Console.Out) Console.WriteLine(text);
}

static async Task<string> PlatformSessionTokenAsync(string host, string appId, string apiKey, string userId)
{
    var scheme = host.Contains("localhost", StringComparison.OrdinalIgnoreCase) ? "http" : "https";
    using var http = new HttpClient { BaseAddress = new Uri($"{scheme}://{host}/") };
    http.DefaultRequestHeaders.TryAddWithoutValidation("APP_ID", appId);
    http.DefaultRequestHeaders.TryAddWithoutValidation("APP_API_KEY", apiKey);
    var created = await http.PostAsJsonAsync("v1/users", new { user_id = userId, name = userId });
    if (!created.IsSuccessStatusCode)
    {
        var error = await created.Content.ReadFromJsonAsync<JsonObject>();
        if (error?["code"]?.GetValue<int>() != GitpleLiveErrorCode.DuplicateId)
            throw new InvalidOperationException($"creating user {userId} failed: {error}");
    }
    var expiresAt = DateTimeOffset.UtcNow.AddHours(12).ToUnixTimeMilliseconds();
    var token = await http.PostAsJsonAsync($"v1/users/{Uri.EscapeDataString(userId)}/token", new { expires_at = expiresAt });
    token.EnsureSuccessStatusCode();
    return (await token.Content.ReadFromJsonAsync<JsonObject>())!["token"]!.GetValue<string>();
}
