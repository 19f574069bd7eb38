using System.Diagnostics;
using System.Text.Json;
using GitpleLive.TestHost;

namespace GitpleLive.Realtime.Tests;

/// <summary>
/// The official GitpleLive JavaScript SDK, unchanged, against our server while the PROTOCOL §10 message extensions flow
/// (replies, mentions, edits, reactions, typing): its handlers get the events they know with their usual arguments,
/// unknown categories and fields break nothing (<c>tests/js-sdk/extensions-check.mjs</c>, our own script). The SDK is
/// not on the npm registry, so CI cannot get it: the test runs when <c>GITPLELIVE_JS_SDK</c> names a built checkout
/// (github.com/finset-io/gitplelive-chat-sdk with <c>npm install ws xhr2</c> run in it) and <c>node</c> is on PATH.
/// </summary>
public sealed class OfficialJsSdkTests
{
    private static readonly string? SdkDir = Environment.GetEnvironmentVariable("GITPLELIVE_JS_SDK");

    [SkippableFact]
    public async Task The_official_js_sdk_hears_extension_traffic_without_a_hitch()
    {
        Skip.If(string.IsNullOrEmpty(SdkDir), "set GITPLELIVE_JS_SDK to a built checkout of the official JavaScript SDK");
        var node = LocalMachine.FindProgram("node");
        Skip.If(node is null, "node is not installed");
        await using var server = await TestServer.StartAsync();

        var start = new ProcessStartInfo(node!, [ScriptPath()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["GITPLELIVE_JS_SDK"] = SdkDir,
                ["GITPLELIVE_HOST"] = server.Host,
                ["GITPLELIVE_APP_ID"] = server.AppId,
                ["GITPLELIVE_API_KEY"] = server.ApiKey,
                // The SDK talks to "localhost"; the test server listens on 127.0.0.1 only.
                ["NODE_OPTIONS"] = "--dns-result-order=ipv4first",
            },
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the script did not finish: {await stdout} {await stderr}");
        }
        var output = (await stdout).Trim();
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {output}\n{await stderr}");
        var summary = JsonDocument.Parse(output.Split('\n')[^1]).RootElement;
        Assert.True(summary.GetProperty("ok").GetBoolean(), output);
        Assert.Equal(0, summary.GetProperty("thrown").GetArrayLength());
    }

    private static string ScriptPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "js-sdk", "extensions-check.mjs");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("tests/js-sdk/extensions-check.mjs not found above " + AppContext.BaseDirectory);
    }
}
