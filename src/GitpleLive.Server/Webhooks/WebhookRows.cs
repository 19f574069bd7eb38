using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitpleLive.Server.Webhooks;

/// <summary>An app's webhook settings (PROTOCOL §10): one row per app that has webhooks on.</summary>
public sealed class WebhookSettingsRow
{
    public required string AppId { get; set; }
    public required string Url { get; set; }
    /// <summary>The signing secret; never shown by the API (write-only).</summary>
    public required string Secret { get; set; }
    /// <summary><c>*</c>, or the categories delivered, separated by <c>,</c>.</summary>
    public required string Categories { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>
/// One webhook delivery: queued before it is sent, kept after as the delivery log. The worker sends the oldest pending
/// row of each <see cref="OrderKey"/> only (one in flight per channel), under a lease so several nodes can share the table.
/// </summary>
public sealed class WebhookDeliveryRow
{
    public const int Pending = 0, Delivered = 1, Failed = 2;

    public long Id { get; set; }
    public required string DeliveryId { get; set; }
    public required string AppId { get; set; }
    public required string Category { get; set; }
    /// <summary>What orders deliveries: <c>channel:{type}:{id}</c>, <c>user:{id}</c> or <c>ping:{delivery id}</c>.</summary>
    public required string OrderKey { get; set; }
    /// <summary>When the change was published (UTC ticks): the order within <see cref="OrderKey"/>, then <see cref="Id"/>.</summary>
    public long Stamp { get; set; }
    /// <summary>The JSON body, as POSTed.</summary>
    public required string Body { get; set; }
    public int Status { get; set; }
    public int Attempts { get; set; }
    /// <summary>Not before this (Unix ms): the backoff after a failed attempt.</summary>
    public long NextAttemptAt { get; set; }
    /// <summary>A worker holds the row until then (Unix ms; 0: free); <see cref="LeaseToken"/> names the claim.</summary>
    public long LeaseUntil { get; set; }
    public string? LeaseToken { get; set; }
    public string? LastError { get; set; }
    /// <summary>The receiver's HTTP status of the last attempt (none when it did not answer).</summary>
    public int? LastStatus { get; set; }
    public long CreatedAt { get; set; }
    public long? LastAttemptAt { get; set; }
    public long? FinishedAt { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>
/// A batch's deliveries of one app, as the writer's webhook stage stores them beside the batch's changes: one row per app
/// per committed batch (not one per delivery with its indexes), which a delivering node turns into
/// <see cref="WebhookDeliveryRow"/>s (<see cref="WebhookInbox"/>).
/// </summary>
public sealed class WebhookInboxRow
{
    public long Id { get; set; }
    public required string AppId { get; set; }
    /// <summary>The deliveries, a UTF-8 JSON array in the batch's order (<see cref="WebhookInbox"/> writes and reads it).</summary>
    public required byte[] Rows { get; set; }
    public long CreatedAt { get; set; }
}

/// <summary>The webhook tables' schema, applied by <see cref="ChatDbContext"/>.</summary>
internal static class WebhookModel
{
    // The filters name the status as a literal, as the worker's queries do: that is what lets SQLite use these indexes.
    private const string PendingFilter = "\"Status\" = 0", FinishedFilter = "\"Status\" <> 0",
        LeasedFilter = "\"Status\" = 0 AND \"LeaseUntil\" > 0";

    public static void Configure(ModelBuilder b)
    {
        b.Entity<WebhookSettingsRow>(e =>
        {
            e.ToTable("webhook_settings");
            e.HasKey(x => x.AppId);
            e.Property(x => x.AppId).HasMaxLength(64);
            e.Property(x => x.Url).HasMaxLength(Limits.UrlLength);
            e.Property(x => x.Secret).HasMaxLength(WebhookSettings.MaxSecretLength);
            e.Property(x => x.Categories).HasMaxLength(4096);
        });
        b.Entity<WebhookDeliveryRow>(e =>
        {
            e.ToTable("webhook_deliveries");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.Property(x => x.DeliveryId).HasMaxLength(40);
            e.Property(x => x.AppId).HasMaxLength(64);
            e.Property(x => x.Category).HasMaxLength(64);
            e.Property(x => x.OrderKey).HasMaxLength(Limits.IdLength + 64);
            e.Property(x => x.LeaseToken).HasMaxLength(40);
            e.Property(x => x.LastError).HasMaxLength(WebhookDispatcher.MaxErrorLength);
            // Every change an app's webhooks want inserts a row here in the change's own transaction, so each index is a
            // cost on the send path. The worker's due scan and the head-of-channel check read pending rows only: their
            // indexes hold only those (a few while the worker keeps up), so a send touches a page or two of each, where a
            // full per-channel index dirtied a page per channel at every commit. Pruning reads finished rows only, and a
            // row enters that index when it finishes, not when it is queued. The delivery id needs no index of its own:
            // nothing looks a row up by it, and a version-7 GUID is unique without one.
            e.HasIndex(x => new { x.NextAttemptAt, x.Id }, "IX_webhook_deliveries_due").HasFilter(PendingFilter);
            e.HasIndex(x => new { x.AppId, x.OrderKey, x.Stamp, x.Id }, "IX_webhook_deliveries_head").HasFilter(PendingFilter);
            e.HasIndex(x => new { x.UpdatedAt }, "IX_webhook_deliveries_finished").HasFilter(FinishedFilter);
            // Each app's leases, for its concurrency limit: a row enters it when claimed and leaves when it finishes.
            e.HasIndex(x => new { x.AppId }, "IX_webhook_deliveries_leased").HasFilter(LeasedFilter);
            e.HasIndex(x => new { x.AppId, x.Id });
        });
        b.Entity<WebhookInboxRow>(e =>
        {
            // No index beyond the key: a send's batch adds one row here, at the table's end.
            e.ToTable("webhook_inbox");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.Property(x => x.AppId).HasMaxLength(64);
        });
    }
}
