using GitpleLive.Server.Push;

namespace GitpleLive.Server.Tests.Push;

/// <summary>Push settings the dispatcher cannot run with are refused at start, each naming its setting; the backoff grows.</summary>
public class PushOptionsTests
{
    [Theory]
    [InlineData("MaxAttempts")]
    [InlineData("BatchSize")]
    [InlineData("MaxConcurrencyPerApp")]
    [InlineData("RetryMaxDelay")]
    [InlineData("LeaseDuration")]
    [InlineData("PollInterval")]
    public void A_bad_setting_is_refused_by_name(string setting)
    {
        var options = new PushOptions();
        switch (setting)
        {
            case "MaxAttempts": options.MaxAttempts = 0; break;
            case "BatchSize": options.BatchSize = 0; break;
            case "MaxConcurrencyPerApp": options.MaxConcurrencyPerApp = 5000; break;
            case "RetryMaxDelay": options.RetryMaxDelay = TimeSpan.FromMilliseconds(1); break;
            case "LeaseDuration": options.LeaseDuration = TimeSpan.FromSeconds(5); break; // shorter than RequestTimeout
            case "PollInterval": options.PollInterval = TimeSpan.Zero; break;
        }
        var result = new PushOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains($"GitpleLive:Push:{setting}", result.FailureMessage);
        Assert.True(new PushOptionsValidator().Validate(null, new PushOptions()).Succeeded);
    }
}
