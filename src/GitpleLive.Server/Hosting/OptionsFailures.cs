using Microsoft.Extensions.Options;

namespace GitpleLive.Server.Hosting;

/// <summary>
/// The start-up failures of one configuration section, each message naming its setting
/// (<c>Section:Setting …</c>); what the options validators report.
/// </summary>
internal sealed class OptionsFailures(string section)
{
    private readonly List<string> _failures = [];

    /// <summary>Adds <c>Section:Setting problem</c>.</summary>
    public void Add(string setting, string problem) => _failures.Add($"{section}:{setting} {problem}");

    public void Positive(string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero) Add(setting, $"must be positive (was {value}).");
    }

    public void Positive(string setting, long value)
    {
        if (value <= 0) Add(setting, $"must be positive (was {value}).");
    }

    public void NotNegative(string setting, long value)
    {
        if (value < 0) Add(setting, $"must not be negative (was {value}).");
    }

    public ValidateOptionsResult Result() =>
        _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);
}
