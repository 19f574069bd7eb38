using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat;

/// <summary>Reports about users, channels and messages (PROTOCOL §5.5).</summary>
public sealed partial class ModerationClient
{
    private readonly ChatCore _core;

    internal ModerationClient(ChatCore core) => _core = core;

    /// <summary>Files a report (POST <c>/reports</c>); the channel's managers hear <see
    /// cref="GroupChannelClient.ReportCreated"/>.</summary>
    /// <param name="report">What is reported and why.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The stored report.</returns>
    /// <exception cref="GitpleLiveException">60101 when the report type is missing; 60904 when not connected; a server code when the call
    /// fails.</exception>
    public Task<Report> CreateReportAsync(CreateReportOptions report, CancellationToken cancellationToken = default)
    {
        Argument.NotNull(report, nameof(report));
        Argument.Required(report.ReportType, nameof(report.ReportType));
        var channelType = report.ChannelType ?? (report.ChannelId is null ? null : "group");
        var body = new ReportBody(report.ReportType, report.ReportCategory, report.Reason, report.UserId, channelType, report.ChannelId,
            report.MessageId);
        return _core.Rest.SendJsonAsync(HttpMethod.Post, "reports", _core.RequireCredentials(), body,
            ChatJsonContext.Default.ReportBody, ChatJsonContext.Default.Report, cancellationToken);
    }
}
