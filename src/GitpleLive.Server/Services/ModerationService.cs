using System.Text.Json;

namespace GitpleLive.Server.Services;

/// <summary>
/// Reports of users, channels and messages. A report keeps a snapshot of what was reported, so it
/// stays useful after the message is deleted or the user renamed. Raises <c>group:report_create</c>
/// to the channel's managers when a channel is involved.
/// </summary>
public sealed class ModerationService(ChatStore store, IEventPublisher events, MessageMapper mapper, TimeProvider time)
{
    public static readonly string[] Types = ["user", "channel", "message"];
    public static readonly string[] Categories = ["general", "spam", "profanity", "etc", "custom"];

    public sealed record ReportRequest(string ReportType, string Category, string? Reason, string? UserId, string? ChannelId,
        long? MessageId);

    /// <summary>A report by the SDK caller.</summary>
    public async Task<ReportDto> CreateAsync(ChatCaller caller, ReportRequest r, CancellationToken cancellationToken = default)
    {
        var app = caller.App;
        var reporterId = caller.RequireUserId();
        var ct = cancellationToken;
        var (_, _, dto) = await store.WriteAsync(async db =>
        {
            var reporter = await db.RequireUserAsync(app.AppId, reporterId, ct);
            UserRow? target = null;
            ChannelRow? c = null;
            MessageDto? message = null;
            string? fileKey = null;
            switch (r.ReportType)
            {
                case "user":
                    if (r.UserId is null) throw ApiException.BadRequest("user_id is required for a user report");
                    target = await db.RequireUserAsync(app.AppId, r.UserId, ct);
                    if (r.ChannelId is not null)
                    {
                        c = await db.RequireChannelAsync(app.AppId, r.ChannelId, ct);
                        await db.RequireMemberAsync(caller, r.ChannelId, ct);
                    }
                    break;
                case "channel":
                    if (r.ChannelId is null) throw ApiException.BadRequest("channel_id is required for a channel report");
                    c = await db.RequireChannelAsync(app.AppId, r.ChannelId, ct);
                    await db.RequireMemberAsync(caller, r.ChannelId, ct);
                    break;
                default:
                    if (r.ChannelId is null) throw ApiException.BadRequest("channel_id is required for a message report");
                    if (r.MessageId is null) throw ApiException.BadRequest("message_id is required for a message report");
                    c = await db.RequireChannelAsync(app.AppId, r.ChannelId, ct);
                    await db.RequireMemberAsync(caller, r.ChannelId, ct);
                    var m = await db.Messages.FirstOrDefaultAsync(x => x.AppId == app.AppId && x.ChannelId == r.ChannelId
                        && x.MessageId == r.MessageId, ct)
                        ?? throw ApiException.NotFound(ErrorCodes.MessageNotFound,
                            $"message {r.MessageId} not found in channel '{r.ChannelId}'");
                    target = await db.Users.FirstOrDefaultAsync(u => u.AppId == app.AppId && u.UserId == m.UserId, ct);
                    message = mapper.ToDto(m, target);
                    fileKey = m.FileKey;
                    break;
            }
            var now = time.NowMs();
            var row = new ReportRow
            {
                ReportId = Guid.CreateVersion7().ToString("N"),
                AppId = app.AppId, ReportType = r.ReportType, ReportCategory = r.Category, ReportingUserId = reporterId,
                Reason = r.Reason, TargetUserId = target?.UserId, ChannelId = c?.ChannelId, MessageId = message?.MessageId,
                UserSnapshot = target is null ? null : JsonSerializer.Serialize(UserService.ToDto(target), ApiJson.Options),
                ChannelSnapshot = c is null ? null : JsonSerializer.Serialize(ChannelService.ToDto(c), ApiJson.Options),
                // The file link expires, so the snapshot keeps the file's storage key in its place and
                // a fresh link is signed whenever the report is read.
                MessageSnapshot = message is null ? null : JsonSerializer.Serialize(KeyInPlaceOfLink(message, fileKey), ApiJson.Options),
                CreatedAt = now, UpdatedAt = now,
            };
            db.Reports.Add(row);
            return (row, c, ToDto(row, reporter, message));
        }, reported => reported.c is not { } channel ? [] : [new ChatEvent
        {
            AppId = app.AppId,
            TopicKind = EventTopicKind.ChannelManager,
            TargetId = channel.ChannelId,
            ChannelType = channel.Type,
            Payload = new EventPayload(EventCategories.ReportCreate, Channel: ChannelService.ToDto(channel), Data: reported.Item3),
        }], events, ct);
        return dto;
    }

    private static MessageDto KeyInPlaceOfLink(MessageDto message, string? fileKey) =>
        message with { File = message.File is null ? null : message.File with { Url = fileKey ?? "" } };

    private ReportDto ToDto(ReportRow r, UserRow? reporter, MessageDto? message = null) => new(
        r.ReportId, r.ReportType, r.ReportCategory,
        reporter is not null ? UserService.ToDto(reporter) : new UserDto(r.ReportingUserId, r.ReportingUserId, null, null, 0, 0),
        r.Reason,
        r.UserSnapshot is null ? null : JsonSerializer.Deserialize<UserDto>(r.UserSnapshot, ApiJson.Options),
        r.ChannelSnapshot is null ? null : JsonSerializer.Deserialize<ChannelDto>(r.ChannelSnapshot, ApiJson.Options),
        message ?? SnapshotMessage(r.MessageSnapshot),
        r.CreatedAt, r.UpdatedAt);

    private MessageDto? SnapshotMessage(string? snapshot)
    {
        if (snapshot is null) return null;
        var message = JsonSerializer.Deserialize<MessageDto>(snapshot, ApiJson.Options)!;
        return message.File is { Url.Length: > 0 } file ? message with { File = mapper.Relink(file, file.Url) } : message;
    }

    /// <summary>Platform API: every report of the app, newest first, optionally of one type (the console's queue).</summary>
    public Task<ReportPage> ListForAppAsync(ChatCaller caller, int limit, string? reportType, string? next,
        CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        var appId = caller.AppId;
        var ct = cancellationToken;
        return store.ReadAsync(async db =>
        {
            var after = Cursor.Decode(next);
            var q = db.Reports.Where(r => r.AppId == appId);
            if (reportType is not null) q = q.Where(r => r.ReportType == reportType);
            if (after is { } a) q = q.Where(r => r.CreatedAt < a.Time || (r.CreatedAt == a.Time && string.Compare(r.ReportId, a.Id) < 0));
            var rows = await q.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.ReportId).Take(limit + 1).ToListAsync(ct);
            var more = rows.Count > limit;
            if (more) rows.RemoveAt(rows.Count - 1);
            var reporterIds = rows.Select(r => r.ReportingUserId).Distinct().ToList();
            var reporters = await db.Users.Where(u => u.AppId == appId && reporterIds.Contains(u.UserId))
                .ToDictionaryAsync(u => u.UserId, ct);
            return new ReportPage(rows.Select(r => ToDto(r, reporters.GetValueOrDefault(r.ReportingUserId))).ToList(),
                more ? Cursor.Encode(rows[^1].CreatedAt, rows[^1].ReportId) : null);
        }, ct);
    }

    /// <summary>Reports about a channel, newest first; managers only.</summary>
    public Task<ReportPage> ListForChannelAsync(ChatCaller caller, string channelId, int limit, string? reportType, string? next,
        CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        var ct = cancellationToken;
        return store.ReadAsync(async db =>
        {
            await db.RequireChannelAsync(appId, channelId, ct);
            await db.RequireManagerAsync(caller, channelId, ct);
            var after = Cursor.Decode(next);
            var q = db.Reports.Where(r => r.AppId == appId && r.ChannelId == channelId);
            if (reportType is not null) q = q.Where(r => r.ReportType == reportType);
            if (after is { } a) q = q.Where(r => r.CreatedAt < a.Time || (r.CreatedAt == a.Time && string.Compare(r.ReportId, a.Id) < 0));
            var rows = await q.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.ReportId).Take(limit + 1).ToListAsync(ct);
            var more = rows.Count > limit;
            if (more) rows.RemoveAt(rows.Count - 1);
            var reporterIds = rows.Select(r => r.ReportingUserId).Distinct().ToList();
            var reporters = await db.Users.Where(u => u.AppId == appId && reporterIds.Contains(u.UserId))
                .ToDictionaryAsync(u => u.UserId, ct);
            return new ReportPage(rows.Select(r => ToDto(r, reporters.GetValueOrDefault(r.ReportingUserId))).ToList(),
                more ? Cursor.Encode(rows[^1].CreatedAt, rows[^1].ReportId) : null);
        }, ct);
    }
}
