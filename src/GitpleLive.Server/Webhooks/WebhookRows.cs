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

/// <summary>The webhook tables' schema, applied by <see cref="ChatDbContext"/>.</summary>
internal static class WebhookModel
{
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
            e.HasIndex(x => x.DeliveryId).IsUnique();
            // The worker's due scan, the head-of-channel check, the log by app, and pruning.
            e.HasIndex(x => new { x.Status, x.NextAttemptAt });
            e.HasIndex(x => new { x.AppId, x.OrderKey, x.Status, x.Stamp });
            e.HasIndex(x => new { x.AppId, x.Id });
            e.HasIndex(x => new { x.Status, x.UpdatedAt });
        });
    }
}
