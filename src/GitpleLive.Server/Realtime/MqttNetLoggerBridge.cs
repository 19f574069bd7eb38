using MQTTnet.Diagnostics.Logger;

namespace GitpleLive.Server.Realtime;

/// <summary>
/// Routes MQTTnet's log into the server's logging under the category <c>MQTTnet</c>. MQTTnet's per-client
/// information messages go to Debug, so a busy broker stays quiet at the default level.
/// </summary>
internal sealed class MqttNetLoggerBridge(ILogger? logger) : IMqttNetLogger
{
    /// <summary>A logger that drops everything.</summary>
    public static readonly MqttNetLoggerBridge Null = new(null);

    public bool IsEnabled => logger is not null && logger.IsEnabled(LogLevel.Warning);

    public void Publish(MqttNetLogLevel logLevel, string source, string message, object[] parameters, Exception exception)
    {
        if (logger is null) return;
        var level = logLevel switch
        {
            MqttNetLogLevel.Verbose => LogLevel.Trace,
            MqttNetLogLevel.Info => LogLevel.Debug,
            // Clients that vanish without a goodbye are everyday business for a chat server, not a warning.
            MqttNetLogLevel.Warning when exception is MQTTnet.Exceptions.MqttCommunicationException => LogLevel.Debug,
            MqttNetLogLevel.Warning => LogLevel.Warning,
            _ => LogLevel.Error,
        };
        if (!logger.IsEnabled(level)) return;
        var text = parameters is { Length: > 0 }
            ? string.Format(System.Globalization.CultureInfo.InvariantCulture, message, parameters)
            : message;
        logger.Log(level, exception, "[{Source}] {Message}", source, text);
    }
}
