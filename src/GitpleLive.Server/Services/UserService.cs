namespace GitpleLive.Server.Services;

/// <summary>Users of an app: profile, meta, lifecycle. Raises <c>user_update</c> and <c>user_delete</c>.</summary>
public sealed class UserService(ChatStore store, IEventPublisher events, UserCache cache, TimeProvider time)
{
    public static UserDto ToDto(UserRow u, long? joinedAt = null) =>
        new(u.UserId, u.Name, u.ProfileUrl, Meta.ToWire(u.Meta), u.CreatedAt, u.UpdatedAt, joinedAt);

    /// <summary>Whether the user exists (answered from <see cref="UserCache"/> when it was seen moments ago).</summary>
    public async Task<bool> ExistsAsync(ChatCaller caller, string userId, CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        if (cache.IsKnown(appId, userId)) return true;
        var exists = await store.ReadAsync(db => db.Users.AnyAsync(u => u.AppId == appId && u.UserId == userId, cancellationToken),
            cancellationToken);
        if (exists) cache.Remember(appId, userId);
        return exists;
    }

    /// <summary>The user, or 1004.</summary>
    public async Task<UserRow> RequireAsync(ChatCaller caller, string userId, CancellationToken cancellationToken = default)
    {
        var appId = caller.AppId;
        return await store.ReadAsync(db => db.Users.FirstOrDefaultAsync(u => u.AppId == appId && u.UserId == userId, cancellationToken),
                cancellationToken)
            ?? throw ApiException.NotFound(ErrorCodes.UserNotFound, $"user '{userId}' not found");
    }

    public async Task<UserDto> GetAsync(ChatCaller caller, string userId, CancellationToken cancellationToken = default) =>
        ToDto(await RequireAsync(caller, userId, cancellationToken));

    /// <summary>Creates the user on first use (tokenless users), named after its id.</summary>
    public async Task EnsureAsync(ChatCaller caller, string userId, CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        var appId = caller.AppId;
        await store.WriteAsync(async db =>
        {
            if (await db.Users.AnyAsync(u => u.AppId == appId && u.UserId == userId, cancellationToken)) return null;
            var now = time.NowMs();
            var u = new UserRow { AppId = appId, UserId = userId, Name = userId, CreatedAt = now, UpdatedAt = now };
            db.Users.Add(u);
            return u;
        }, created => created is null ? [] : [Webhooks.WebhookEvents.UserCreated(appId, ToDto(created))], events, cancellationToken);
    }

    /// <summary>Platform API: a new user (1007 when the id is taken).</summary>
    public async Task<UserDto> CreateAsync(ChatCaller caller, string userId, string name, string? profileUrl,
        Dictionary<string, string>? meta,
        CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        var app = caller.App;
        Meta.CheckCount(meta, app.MaxMetaKeys);
        var row = await store.WriteAsync(async db =>
        {
            if (await db.Users.AnyAsync(u => u.AppId == app.AppId && u.UserId == userId, cancellationToken))
                throw ApiException.Invalid(ErrorCodes.DuplicateId, $"user '{userId}' already exists");
            var now = time.NowMs();
            var u = new UserRow
            {
                AppId = app.AppId, UserId = userId, Name = name, ProfileUrl = profileUrl, Meta = meta is null ? null : Meta.Write(meta),
                CreatedAt = now, UpdatedAt = now,
            };
            db.Users.Add(u);
            return u;
        }, created => [Webhooks.WebhookEvents.UserCreated(app.AppId, ToDto(created))], events, cancellationToken);
        return ToDto(row);
    }

    /// <summary>
    /// Platform API: a page of the app's users, oldest first, optionally only the comma-separated <paramref name="userIds"/>.
    /// </summary>
    public async Task<UserPage> ListAsync(ChatCaller caller, int limit, string? next, string? userIds,
        CancellationToken cancellationToken = default) => await ListAsync(caller, limit, next, userIds, null, cancellationToken);

    /// <summary>
    /// Platform API: the app's users in creation order, paged; <paramref name="userIds"/> keeps only those ids,
    /// <paramref name="query"/> only users whose id or name contains it (case-insensitive).
    /// </summary>
    public async Task<UserPage> ListAsync(ChatCaller caller, int limit, string? next, string? userIds, string? query,
        CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        var appId = caller.AppId;
        var after = Cursor.Decode(next);
        var ids = userIds?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var rows = await store.ReadAsync(db =>
        {
            var q = db.Users.Where(u => u.AppId == appId);
            if (ids is { Length: > 0 }) q = q.Where(u => ids.Contains(u.UserId));
            if (!string.IsNullOrWhiteSpace(query))
            {
                // Both providers translate lower() and a contains; a scan of one app's users, fine for a directory search.
                var needle = query.Trim().ToLowerInvariant();
                q = q.Where(u => u.UserId.ToLower().Contains(needle) || u.Name.ToLower().Contains(needle));
            }
            if (after is { } c) q = q.Where(u => u.CreatedAt > c.Time || (u.CreatedAt == c.Time && string.Compare(u.UserId, c.Id) > 0));
            return q.OrderBy(u => u.CreatedAt).ThenBy(u => u.UserId).Take(limit + 1).ToListAsync(cancellationToken);
        }, cancellationToken);
        var more = rows.Count > limit;
        if (more) rows.RemoveAt(rows.Count - 1);
        return new UserPage(rows.Select(u => ToDto(u)).ToList(), more ? Cursor.Encode(rows[^1].CreatedAt, rows[^1].UserId) : null);
    }

    /// <summary>
    /// Updates name/profile (and meta for the Platform API) and raises <c>user_update</c> to the user.
    /// An SDK user changes only themselves (3001).
    /// </summary>
    public Task<UserDto> UpdateAsync(ChatCaller caller, string userId, string? name, string? profileUrl,
        Dictionary<string, string>? meta = null,
        CancellationToken cancellationToken = default)
    {
        RequireSelf(caller, userId, "only your own profile can be changed");
        if (meta is not null) caller.RequirePlatform();
        return ChangeAsync(caller.AppId, userId, u =>
        {
            if (name is not null) u.Name = name;
            if (profileUrl is not null) u.ProfileUrl = profileUrl.Length == 0 ? null : profileUrl;
            if (meta is not null) u.Meta = Meta.Merge(u.Meta, meta, caller.App.MaxMetaKeys);
        }, cancellationToken);
    }

    /// <summary>
    /// Merges meta keys (1014 over the app's limit) and raises <c>user_update</c>. An SDK user changes only their own (3001).
    /// </summary>
    public Task<UserDto> UpdateMetaAsync(ChatCaller caller, string userId, Dictionary<string, string> changes,
        CancellationToken cancellationToken = default)
    {
        RequireOwnMeta(caller, userId);
        return ChangeAsync(caller.AppId, userId, u => u.Meta = Meta.Merge(u.Meta, changes, caller.App.MaxMetaKeys), cancellationToken);
    }

    /// <summary>Removes meta keys and raises <c>user_update</c>. An SDK user changes only their own (3001).</summary>
    public Task<UserDto> DeleteMetaAsync(ChatCaller caller, string userId, IReadOnlyList<string> keys,
        CancellationToken cancellationToken = default)
    {
        RequireOwnMeta(caller, userId);
        return ChangeAsync(caller.AppId, userId, u => u.Meta = Meta.Remove(u.Meta, keys), cancellationToken);
    }

    /// <summary>
    /// 3001 when an SDK user names someone else's meta. The meta routes check it before reading the
    /// body too, so a refusal answers before any body error.
    /// </summary>
    public static void RequireOwnMeta(ChatCaller caller, string userId) =>
        RequireSelf(caller, userId, "only your own meta can be changed");

    private static void RequireSelf(ChatCaller caller, string userId, string rule)
    {
        if (!caller.IsPlatform && userId != caller.UserId)
            throw ApiException.Forbidden(ErrorCodes.NoPermission, $"user_id: {rule} (you are '{caller.UserId}')");
    }

    /// <summary>Applies <paramref name="change"/> to the stored user (1004 when missing), then tells the user.</summary>
    private async Task<UserDto> ChangeAsync(string appId, string userId, Action<UserRow> change, CancellationToken cancellationToken)
    {
        var row = await store.WriteAsync(async db =>
        {
            var u = await db.Users.FirstOrDefaultAsync(x => x.AppId == appId && x.UserId == userId, cancellationToken)
                ?? throw ApiException.NotFound(ErrorCodes.UserNotFound, $"user '{userId}' not found");
            change(u);
            u.UpdatedAt = time.NowMs();
            return u;
        }, changed => [UserEvent(appId, EventCategories.UserUpdate, ToDto(changed))], events, cancellationToken);
        return ToDto(row);
    }

    /// <summary>
    /// Platform API: deletes the user and their memberships, bans, device tokens and reactions; their messages stay in channels
    /// (shown with the last known name). Raises <c>user_delete</c> to the user, whose clients then
    /// disconnect; their channel subscriptions are cut.
    /// </summary>
    public async Task DeleteAsync(ChatCaller caller, string userId, CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        var appId = caller.AppId;
        await store.WriteAsync(async db =>
        {
            var u = await db.Users.FirstOrDefaultAsync(x => x.AppId == appId && x.UserId == userId, cancellationToken)
                ?? throw ApiException.NotFound(ErrorCodes.UserNotFound, $"user '{userId}' not found");
            var memberships = db.Members.Where(m => m.AppId == appId && m.UserId == userId);
            var channelIds = await (from m in memberships
                                    join c in db.Channels on new { m.AppId, m.ChannelId } equals new { c.AppId, c.ChannelId }
                                    select new { c.ChannelId, c.Type }).ToListAsync(cancellationToken);
            await memberships.ExecuteDeleteAsync(cancellationToken);
            await db.Bans.Where(b => b.AppId == appId && b.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.DeviceTokens.Where(d => d.AppId == appId && d.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            await db.Reactions.Where(r => r.AppId == appId && r.UserId == userId).ExecuteDeleteAsync(cancellationToken);
            db.Users.Remove(u);
            return (u, channelIds);
        }, deleted => [new ChatEvent
        {
            AppId = appId,
            TopicKind = EventTopicKind.User,
            TargetId = userId,
            Payload = new EventPayload(EventCategories.UserDelete, User: ToDto(deleted.u)),
            CutsAfter = deleted.channelIds.Select(c => new SubscriptionCut(userId, c.Type, c.ChannelId, ManagerOnly: false)).ToList(),
        }], raised =>
        {
            cache.Forget(appId, userId);
            return events.PublishAsync(raised);
        }, cancellationToken);
    }

    private static ChatEvent UserEvent(string appId, string category, UserDto user) => new()
    {
        AppId = appId,
        TopicKind = EventTopicKind.User,
        TargetId = user.UserId,
        Payload = new EventPayload(category, User: user),
    };
}
