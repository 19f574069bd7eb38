namespace GitpleLive.Server.Storage;

/// <summary>
/// An app's push providers (PROTOCOL §10 <c>/v1/app/push</c>), one row per app, each provider's settings as JSON
/// (<see cref="Push.FcmSettings"/>, <see cref="Push.ApnsSettings"/>, <see cref="Push.WebhookPushSettings"/>) or null when
/// that provider is not configured. A table of its own: the app row stays what every call reads.
/// </summary>
public sealed class PushSettingsRow
{
    public required string AppId { get; set; }
    public string? Fcm { get; set; }
    public string? Apns { get; set; }
    public string? Webhook { get; set; }
    public long UpdatedAt { get; set; }
}

/// <summary>
/// One message waiting to be pushed (the push outbox). Written in the send's own transaction, so a crash between
/// commit and push loses nothing; a dispatcher on any node claims it with a lease (<see cref="LeaseToken"/> until
/// <see cref="LeaseUntil"/>), pushes, and deletes it — or keeps it with the deliveries left to retry.
/// </summary>
public sealed class PushOutboxRow
{
    public long Id { get; set; }
    public required string AppId { get; set; }
    public required string ChannelId { get; set; }
    public long MessageId { get; set; }
    public required string SenderId { get; set; }
    /// <summary>The <c>group:message_send</c> event payload as JSON (what the push's <c>data</c> carries).</summary>
    public required string Payload { get; set; }
    /// <summary>Null until recipients are resolved; then, on a retry, the deliveries still to make (JSON).</summary>
    public string? Targets { get; set; }
    public int Attempts { get; set; }
    public long CreatedAt { get; set; }
    public long NextAttemptAt { get; set; }
    public long LeaseUntil { get; set; }
    public string? LeaseToken { get; set; }
}

/// <summary>The push tables' model (called from <see cref="ChatDbContext"/>).</summary>
internal static class PushModel
{
    public static void Configure(ModelBuilder b)
    {
        b.Entity<PushSettingsRow>(e =>
        {
            e.ToTable("push_settings");
            e.HasKey(x => x.AppId);
            e.Property(x => x.AppId).HasMaxLength(64);
        });
        b.Entity<PushOutboxRow>(e =>
        {
            e.ToTable("push_outbox");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.Property(x => x.AppId).HasMaxLength(64);
            e.Property(x => x.ChannelId).HasMaxLength(Limits.IdLength);
            e.Property(x => x.SenderId).HasMaxLength(Limits.IdLength);
            e.Property(x => x.LeaseToken).HasMaxLength(40);
            e.HasIndex(x => x.NextAttemptAt);
            e.HasIndex(x => x.AppId);
        });
    }
}
