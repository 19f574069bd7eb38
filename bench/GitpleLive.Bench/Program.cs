using GitpleLive.Bench;

return await BenchApp.RunAsync(args);
