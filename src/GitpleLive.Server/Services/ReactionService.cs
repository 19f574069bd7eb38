namespace GitpleLive.Server.Services;

/// <summary>
/// Reactions (PROTOCOL §10): a member adds or removes a key (an emoji or a short name) on a message of the channel. Both
/// are idempotent: adding a reaction one already has, or removing one they do not have, changes nothing and raises no
/// event. A message carries at most <see cref="Limits.MaxReactionKeys"/> distinct keys. Changes run in the store's
/// writer (one at a time on a node) and on PostgreSQL take the channel's row lock first, so concurrent reactions (on
/// any node) neither collide on the unique row nor pass the key cap together.
/// </summary>
public sealed class ReactionService(ChatStore store, IEventPublisher events, MessageMapper mapper, TimeProvider time)
{
    /// <summary>Adds the caller's reaction; answers the message with its aggregated <c>reactions</c>.</summary>
    public Task<MessageDto> AddAsync(ChatCaller caller, string channelId, long messageId, string key,
        CancellationToken cancellationToken = default) =>
        ChangeAsync(caller, channelId, messageId, key, add: true, cancellationToken);

    /// <summary>Removes the caller's reaction; answers the message with its aggregated <c>reactions</c>.</summary>
    public Task<MessageDto> RemoveAsync(ChatCaller caller, string channelId, long messageId, string key,
        CancellationToken cancellationToken = default) =>
        ChangeAsync(caller, channelId, messageId, key, add: false, cancellationToken);

    /// <summary>
    /// A reaction key: 1 to <see cref="Limits.ReactionKeyLength"/> UTF-16 code units, not only white space, no control
    /// characters and well-formed Unicode (a lone surrogate is refused). 400/1001 naming <c>key</c> otherwise.
    /// </summary>
    public static string CheckKey(string key)
    {
        if (key.Length == 0 || string.IsNullOrWhiteSpace(key)) throw ApiException.BadRequest("key must not be empty");
        if (key.Length > Limits.ReactionKeyLength)
            throw ApiException.BadRequest($"key must be at most {Limits.ReactionKeyLength} characters");
        if (key.Any(char.IsControl)) throw ApiException.BadRequest("key must not contain control characters");
        if (!IsWellFormed(key))
            throw ApiException.BadRequest("key must be well-formed Unicode text");
        return key;
    }

    private static bool IsWellFormed(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) i++;
            else if (char.IsSurrogate(s[i])) return false;
        }
        return true;
    }

    private async Task<MessageDto> ChangeAsync(ChatCaller caller, string channelId, long messageId, string key, bool add,
        CancellationToken ct)
    {
        var app = caller.App;
        var userId = caller.RequireUserId();
        CheckKey(key);
        var (_, dto, _) = await store.WriteAsync(async db =>
        {
            await db.LockChannelAsync(app.AppId, channelId, ct);
            var c = await MessageExtras.RequireCanActAsync(db, caller, channelId, ct);
            var m = await MessageExtras.RequireMessageAsync(db, app.AppId, channelId, messageId, ct);
            var mine = db.Reactions.Where(r => r.AppId == app.AppId && r.MessageId == messageId && r.Key == key && r.UserId == userId);
            bool changed;
            if (add)
            {
                changed = !await mine.AnyAsync(ct);
                if (changed)
                {
                    var keys = await db.Reactions.Where(r => r.AppId == app.AppId && r.MessageId == messageId)
                        .Select(r => r.Key).Distinct().ToListAsync(ct);
                    if (!keys.Contains(key) && keys.Count >= Limits.MaxReactionKeys)
                        throw ApiException.BadRequest(
                            $"key: message {messageId} already has {Limits.MaxReactionKeys} different reactions, "
                            + "the most a message may have");
                    db.Reactions.Add(new ReactionRow { AppId = app.AppId, MessageId = messageId, Key = key, UserId = userId,
                        CreatedAt = time.NowMs() });
                }
            }
            else
            {
                changed = await mine.ExecuteDeleteAsync(ct) > 0;
            }
            if (changed) m.UpdatedAt = time.NowMs();
            await db.SaveChangesAsync(ct);
            return (c, await MessageExtras.CurrentAsync(db, mapper, m, ct), changed);
        }, done => done.changed ? [MessageExtras.Event(app.AppId, done.c, EventCategories.MessageUpdate, done.Item2)] : [], events, ct);
        return dto;
    }
}
