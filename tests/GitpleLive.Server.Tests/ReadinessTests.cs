using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using GitpleLive.TestHost;

namespace GitpleLive.Server.Tests;

/// <summary><c>/health/live</c> and <c>/health/ready</c>: readiness follows the database and Redis.</summary>
public class ReadinessTests
{
    private static async Task<(int Status, JsonObject Body)> GetAsync(TestServer server, string path)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync(server.BaseUrl + path);
        return ((int)response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    [Fact]
    public async Task Without_redis_ready_checks_the_database_only()
    {
        await using var server = await TestServer.StartAsync();
        var (status, body) = await GetAsync(server, "/health/ready");
        Assert.Equal(200, status);
        Assert.Equal("healthy", body["status"]!.GetValue<string>());
        Assert.Equal("healthy", body["checks"]!["database"]!["status"]!.GetValue<string>());
        Assert.Null(body["checks"]!["redis"]);
        var (live, _) = await GetAsync(server, "/health/live");
        Assert.Equal(200, live);
    }

    [SkippableFact]
    public async Task Ready_answers_503_naming_redis_when_redis_stops_and_live_stays_200()
    {
        var redisServer = LocalMachine.FindProgram("redis-server");
        Skip.If(redisServer is null && !ExternalServices.InCi, "redis-server not installed");
        Assert.NotNull(redisServer);
        var port = LocalMachine.FreePort();
        using var redis = Process.Start(new ProcessStartInfo(redisServer!,
            $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            await WaitForPortAsync(port);
            await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
            {
                ["GitpleLive:Redis"] = $"127.0.0.1:{port}",
            });
            var (before, up) = await GetAsync(server, "/health/ready");
            Assert.Equal(200, before);
            Assert.Equal("healthy", up["checks"]!["redis"]!["status"]!.GetValue<string>());

            redis.Kill();
            await redis.WaitForExitAsync();

            var (status, body) = await GetAsync(server, "/health/ready");
            Assert.Equal(503, status);
            Assert.Equal("unhealthy", body["status"]!.GetValue<string>());
            Assert.Equal("unhealthy", body["checks"]!["redis"]!["status"]!.GetValue<string>());
            Assert.Contains("redis", body["checks"]!["redis"]!["description"]!.GetValue<string>());
            Assert.Equal("healthy", body["checks"]!["database"]!["status"]!.GetValue<string>());

            var (live, liveBody) = await GetAsync(server, "/health/live");
            Assert.Equal(200, live);
            Assert.Equal("healthy", liveBody["status"]!.GetValue<string>());
        }
        finally
        {
            if (!redis.HasExited) redis.Kill();
        }
    }



    private static async Task WaitForPortAsync(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"redis-server did not listen on {port}");
    }
}
