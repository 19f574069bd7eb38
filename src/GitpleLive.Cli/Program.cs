using System.CommandLine;
using GitpleLive.Cli;

return await Cli.Build().Parse(args).InvokeAsync();
