namespace GitpleLive.Server.Webhooks;

/// <summary>The Platform API's webhook calls: settings, the delivery log, a ping.</summary>
public sealed class WebhookService(ChatStore store, WebhookSettingsCache cache, IEventPublisher events, WebhookSignal signal,
    TimeProvider time)
{
    /// <summary>The app's settings; null when webhooks are off.</summary>
    public async Task<WebhookSettings?> GetAsync(ChatCaller caller, CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        var appId = caller.AppId;
        var row = await store.ReadAsync(db => db.WebhookSettings.FirstOrDefaultAsync(s => s.AppId == appId, cancellationToken),
            cancellationToken);
        return row is null ? null : WebhookSettings.From(row);
    }

    /// <summary>
    /// Sets the URL, and the secret and categories when given (a first setting needs the secret; categories default to
    /// <c>*</c>). Every node forgets its remembered settings.
    /// </summary>
    public async Task<WebhookSettings> SetAsync(ChatCaller caller, string url, string? secret, IReadOnlyList<string>? categories,
        CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        var appId = caller.AppId;
        var row = await store.WriteAsync(async db =>
        {
            var r = await db.WebhookSettings.FirstOrDefaultAsync(s => s.AppId == appId, cancellationToken);
            if (r is null)
            {
                if (secret is null) throw ApiException.BadRequest("secret is required when webhooks are first set");
                r = new WebhookSettingsRow { AppId = appId, Url = url, Secret = secret, Categories = WebhookCategories.All };
                db.WebhookSettings.Add(r);
            }
            r.Url = url;
            if (secret is not null) r.Secret = secret;
            if (categories is not null) r.Categories = string.Join(',', categories);
            r.UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
            return r;
        }, cancellationToken);
        await ChangedAsync(appId, cancellationToken);
        return WebhookSettings.From(row);
    }

    /// <summary>Turns webhooks off; deliveries still queued are then given up.</summary>
    public async Task DeleteAsync(ChatCaller caller, CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        var appId = caller.AppId;
        await store.WriteAsync(db => db.WebhookSettings.Where(s => s.AppId == appId).ExecuteDeleteAsync(cancellationToken),
            cancellationToken);
        await ChangedAsync(appId, cancellationToken);
    }

    private async Task ChangedAsync(string appId, CancellationToken cancellationToken)
    {
        cache.Forget(appId);
        await events.PublishAsync([WebhookSettingsCache.Changed(appId)], cancellationToken);
    }

    /// <summary>The app's most recent deliveries, newest first.</summary>
    public Task<List<WebhookDeliveryRow>> DeliveriesAsync(ChatCaller caller, int limit, CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        var appId = caller.AppId;
        return store.ReadAsync(async db =>
        {
            // The newest are those a delivering node has not taken from the inbox yet; one snapshot of both tables, so
            // an expansion in between neither hides nor doubles a delivery.
            await using var snapshot =
                await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
            var queued = await WebhookInbox.UnexpandedAsync(db, appId, cancellationToken);
            queued.Reverse();
            if (queued.Count >= limit) return queued[..limit];
            var taken = await db.WebhookDeliveries.Where(d => d.AppId == appId).OrderByDescending(d => d.Id).Take(limit - queued.Count)
                .ToListAsync(cancellationToken);
            return [.. queued, .. taken];
        }, cancellationToken);
    }

    /// <summary>Queues a <c>webhook:ping</c> delivery (its own order key: it waits for nothing); 1001 when webhooks are off.</summary>
    public async Task<string> PingAsync(ChatCaller caller, CancellationToken cancellationToken = default)
    {
        caller.RequirePlatform();
        if (await GetAsync(caller, cancellationToken) is null)
            throw ApiException.BadRequest("url: webhooks are not set for this app (PUT /v1/app/webhooks first)");
        var ping = new ChatEvent
        {
            AppId = caller.AppId,
            TopicKind = EventTopicKind.Webhook,
            TargetId = caller.AppId,
            Payload = new EventPayload(WebhookCategories.Ping, Data: new PingData("ping")),
        };
        var row = WebhookQueue.Row(ping, time.GetUtcNow().UtcTicks, time.GetUtcNow().ToUnixTimeMilliseconds());
        row.OrderKey = "ping:" + row.DeliveryId;
        await store.WriteAsync(db =>
        {
            db.WebhookDeliveries.Add(row);
            return Task.CompletedTask;
        }, cancellationToken);
        Operations.ChatMetrics.WebhookQueued(1);
        signal.Wake();
        return row.DeliveryId;
    }
}

/// <summary>The <c>data</c> of a ping.</summary>
public sealed record PingData(string Message);
