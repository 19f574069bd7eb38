namespace GitpleLive.Server.Services;

/// <summary>
/// The moderation queue: the app's reports with what was done about each, and the actions themselves — delete the
/// message, ban the user from the report's channel for a chosen time, freeze the channel, or dismiss — each done
/// through the service the Platform API uses for it and recorded with who did it and when.
/// </summary>
public sealed class ReportQueueService(ChatStore store, ModerationService moderation, MessageService messages, BanService bans,
    ChannelService channels, TimeProvider time)
{
    public static readonly string[] Actions = ["delete_message", "ban_user", "freeze_channel", "dismiss"];

    /// <summary>Reports newest first (optionally of one type), each with its actions, oldest action first.</summary>
    public async Task<QueuePage> ListAsync(ChatCaller caller, int limit, string? reportType, string? next,
        CancellationToken cancellationToken = default)
    {
        var page = await moderation.ListForAppAsync(caller, limit, reportType, next, cancellationToken);
        var ids = page.Reports.Select(r => r.ReportId).ToList();
        var appId = caller.AppId;
        var actions = await store.ReadAsync(db => db.ModerationActions
            .Where(a => a.AppId == appId && ids.Contains(a.ReportId)).ToListAsync(cancellationToken), cancellationToken);
        var byReport = actions.GroupBy(a => a.ReportId)
            .ToDictionary(g => g.Key, g => g.OrderBy(a => a.CreatedAt).ThenBy(a => a.ActionId).Select(ToDto).ToList());
        return new QueuePage(page.Reports.Select(r => new QueuedReport(r, byReport.GetValueOrDefault(r.ReportId) ?? [])).ToList(),
            page.Next);
    }

    /// <summary>
    /// Acts on a report as the Platform API and records it. <paramref name="actor"/> names who acted (<c>admin</c>,
    /// <c>console</c> or <c>api</c>). A report without what the action needs (no message, no channel) is 400 naming it.
    /// </summary>
    public async Task<ModerationActionDto> ActAsync(ChatCaller caller, string reportId, string action, long? seconds, string actor,
        CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        if (!Actions.Contains(action))
            throw ApiException.BadRequest($"action must be one of {string.Join(", ", Actions)}");
        var appId = caller.AppId;
        var report = await store.ReadAsync(db => db.Reports.AsNoTracking()
            .FirstOrDefaultAsync(r => r.AppId == appId && r.ReportId == reportId, cancellationToken), cancellationToken)
            ?? throw ApiException.NotFound(ErrorCodes.ResourceNotFound, $"report '{reportId}' not found");
        switch (action)
        {
            case "delete_message":
                if (report.MessageId is not { } messageId || report.ChannelId is null)
                    throw ApiException.BadRequest("this report names no message to delete");
                await messages.DeleteAsync(caller, report.ChannelId, messageId, cancellationToken);
                break;
            case "ban_user":
                if (report.TargetUserId is null) throw ApiException.BadRequest("this report names no user to ban");
                if (report.ChannelId is null) throw ApiException.BadRequest("this report names no channel to ban the user from");
                await bans.BanAsync(caller, report.ChannelId, report.TargetUserId, seconds, $"report {reportId}", cancellationToken);
                break;
            case "freeze_channel":
                if (report.ChannelId is null) throw ApiException.BadRequest("this report names no channel to freeze");
                await channels.FreezeAsync(caller, report.ChannelId, true, cancellationToken);
                break;
        }
        var row = new ModerationActionRow
        {
            ActionId = Guid.CreateVersion7().ToString("N"), AppId = appId, ReportId = reportId, Action = action,
            Seconds = action == "ban_user" ? seconds : null, Actor = actor, CreatedAt = time.NowMs(),
        };
        await store.WriteAsync(db =>
        {
            db.ModerationActions.Add(row);
            return Task.CompletedTask;
        }, cancellationToken);
        return ToDto(row);
    }

    private static ModerationActionDto ToDto(ModerationActionRow a) =>
        new(a.ActionId, a.ReportId, a.Action, a.Seconds, a.Actor, a.CreatedAt);
}

/// <summary>A recorded moderation action.</summary>
public sealed record ModerationActionDto(string ActionId, string ReportId, string Action, long? Seconds, string Actor, long CreatedAt);

/// <summary>A report in the queue with what was done about it.</summary>
public sealed record QueuedReport(ReportDto Report, IReadOnlyList<ModerationActionDto> Actions);

public sealed record QueuePage(IReadOnlyList<QueuedReport> Reports, string? Next);
