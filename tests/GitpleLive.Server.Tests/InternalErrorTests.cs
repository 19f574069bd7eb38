using System.Text.Json.Nodes;
using GitpleLive.TestHost;
using Microsoft.Data.Sqlite;

namespace GitpleLive.Server.Tests;

/// <summary>A real failure inside the server (not a refusal) answers 500/9999 in the protocol's error shape.</summary>
public class InternalErrorTests
{
    [Fact]
    public async Task A_broken_store_answers_500_with_code_9999_and_no_details()
    {
        await using var server = await TestServer.StartAsync();
        await server.CreateUserAsync("alice");
        Assert.Single((await server.Platform.GetJsonAsync("/v1/users"))!["users"]!.AsArray());

        // Break the store under the running server: the route's query now fails inside EF Core.
        var file = Path.Combine(server.DataDirectory, "gitplelive.db");
        await using (var db = new SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await db.OpenAsync();
            await using var drop = db.CreateCommand();
            drop.CommandText = "DROP TABLE users;";
            await drop.ExecuteNonQueryAsync();
        }

        var message = await server.Platform.ExpectErrorAsync(HttpMethod.Get, "/v1/users", null, 500, 9999);
        Assert.Equal("unknown server error", message);
        using var response = await server.Platform.GetAsync("/v1/users");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.Equal(["code", "message", "path", "status", "timestamp"], body.Select(p => p.Key).Order());
        Assert.Equal("/v1/users", body["path"]!.GetValue<string>());
        Assert.DoesNotContain("users", body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
