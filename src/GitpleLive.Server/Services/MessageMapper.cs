namespace GitpleLive.Server.Services;

/// <summary>Turns message rows into wire messages: sender joined in, file links signed.</summary>
public sealed class MessageMapper(FileUrls urls)
{
    public MessageDto ToDto(MessageRow m, UserRow? sender, IReadOnlyList<ReactionDto>? reactions = null) => new(
        m.MessageId, m.ChannelId, m.Type,
        sender is not null ? UserService.ToDto(sender) : new UserDto(m.UserId, m.UserId, null, null, 0, 0),
        m.Content,
        m.FileKey is not null ? FileOf(m, m.FileKey) : null,
        Meta.ToWire(m.Meta), m.FilterOriginContent is null ? null : new FilterDto(m.FilterOriginContent, ["profanity"]),
        m.CreatedAt, m.UpdatedAt,
        m.EditedAt, m.ParentMessageId, m.ReplyCount > 0 ? m.ReplyCount : null, m.LastReplyAt,
        MessageExtras.ReadMentions(m.MentionedUserIds), reactions is { Count: > 0 } ? reactions : null);

    private FileDto FileOf(MessageRow m, string fileKey)
    {
        var name = m.FileName ?? "file";
        var type = m.FileType ?? "application/octet-stream";
        return new FileDto(type, name, urls.Sign(fileKey, name, type), m.FileSize ?? 0);
    }

    /// <summary>The file with a freshly signed link to the bytes stored under <paramref name="fileKey"/>.</summary>
    public FileDto Relink(FileDto file, string fileKey) => file with { Url = urls.Sign(fileKey, file.Name, file.Type) };

    /// <summary>Loads the messages of <paramref name="query"/> with their senders, in the query's order.</summary>
    public async Task<List<MessageDto>> LoadAsync(ChatDbContext db, string appId, IQueryable<MessageRow> query,
        CancellationToken cancellationToken = default)
    {
        var rows = await (from m in query
                          join u in db.Users on new { m.AppId, m.UserId } equals new { u.AppId, u.UserId } into senders
                          from u in senders.DefaultIfEmpty()
                          select new { m, u }).ToListAsync(cancellationToken);
        var reactions = await MessageExtras.LoadReactionsAsync(db, appId, rows.Select(x => x.m.MessageId).ToList(), cancellationToken);
        return rows.Select(x => ToDto(x.m, x.u, reactions.GetValueOrDefault(x.m.MessageId))).ToList();
    }
}
