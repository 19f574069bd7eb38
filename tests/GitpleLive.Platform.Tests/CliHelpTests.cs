using System.CommandLine;

namespace GitpleLive.Platform.Tests;

/// <summary>The CLI's help never shows the API key, even when the environment holds it.</summary>
public class CliHelpTests
{
    [Fact]
    public async Task Help_does_not_print_the_api_key_from_the_environment()
    {
        const string secret = "env-key-3f9c1d7e0b2a";
        var before = Environment.GetEnvironmentVariable("GITPLELIVE_API_KEY");
        Environment.SetEnvironmentVariable("GITPLELIVE_API_KEY", secret);
        try
        {
            foreach (var args in new[] { new[] { "--help" }, ["users", "--help"], ["channels", "create", "--help"], ["app", "set", "-h"] })
            {
                using var output = new StringWriter();
                var exit = await Cli.Cli.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = output });
                var text = output.ToString();
                Assert.Equal(0, exit);
                Assert.Contains("--api-key", text);
                Assert.DoesNotContain(secret, text);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("GITPLELIVE_API_KEY", before);
        }
    }
}
