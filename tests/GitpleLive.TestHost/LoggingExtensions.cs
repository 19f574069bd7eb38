using Microsoft.Extensions.Logging;

namespace GitpleLive.TestHost;

internal static class LoggingExtensions
{
    public static void SetMinimumLevelWarning(this ILoggingBuilder logging) => logging.SetMinimumLevel(LogLevel.Warning);
}
