using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace GitpleLive.Server.Storage;

/// <summary>The chat store. Provider-neutral: services use LINQ only, never provider SQL.</summary>
public abstract class ChatDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<AppRow> Apps => Set<AppRow>();
    public DbSet<UserRow> Users => Set<UserRow>();
    public DbSet<ChannelRow> Channels => Set<ChannelRow>();
    public DbSet<MemberRow> Members => Set<MemberRow>();
    public DbSet<MessageRow> Messages => Set<MessageRow>();
    public DbSet<BanRow> Bans => Set<BanRow>();
    public DbSet<ReportRow> Reports => Set<ReportRow>();
    public DbSet<DeviceTokenRow> DeviceTokens => Set<DeviceTokenRow>();
    public DbSet<OpenManagerRow> OpenManagers => Set<OpenManagerRow>();
    public DbSet<PushSettingsRow> PushSettings => Set<PushSettingsRow>();
    public DbSet<PushOutboxRow> PushOutbox => Set<PushOutboxRow>();
    public DbSet<ReactionRow> Reactions => Set<ReactionRow>();
    public DbSet<ConsoleSessionRow> ConsoleSessions => Set<ConsoleSessionRow>();
    public DbSet<ModerationActionRow> ModerationActions => Set<ModerationActionRow>();
    public DbSet<Webhooks.WebhookSettingsRow> WebhookSettings => Set<Webhooks.WebhookSettingsRow>();
    public DbSet<Webhooks.WebhookDeliveryRow> WebhookDeliveries => Set<Webhooks.WebhookDeliveryRow>();
    public DbSet<Webhooks.WebhookInboxRow> WebhookInbox => Set<Webhooks.WebhookInboxRow>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<AppRow>(e =>
        {
            e.ToTable("apps");
            e.HasKey(x => x.AppId);
            e.Property(x => x.AppId).HasMaxLength(64);
            e.Property(x => x.Name).HasMaxLength(128);
            e.Property(x => x.ApiKey).HasMaxLength(128);
            e.Property(x => x.TokenSecret).HasMaxLength(128);
            e.Property(x => x.ProfanityMode).HasMaxLength(8);
        });
        b.Entity<UserRow>(e =>
        {
            e.ToTable("users");
            e.HasKey(x => new { x.AppId, x.UserId });
            e.Property(x => x.AppId).HasMaxLength(64);
            e.Property(x => x.UserId).HasMaxLength(Limits.IdLength);
            e.Property(x => x.Name).HasMaxLength(Limits.NameLength);
            e.Property(x => x.ProfileUrl).HasMaxLength(Limits.UrlLength);
            e.HasIndex(x => new { x.AppId, x.CreatedAt });
        });
        b.Entity<ChannelRow>(e =>
        {
            e.ToTable("channels");
            e.HasKey(x => new { x.AppId, x.ChannelId });
            e.Property(x => x.AppId).HasMaxLength(64);
            e.Property(x => x.ChannelId).HasMaxLength(Limits.IdLength);
            e.Property(x => x.Type).HasMaxLength(8);
            e.Property(x => x.Name).HasMaxLength(Limits.NameLength);
            e.Property(x => x.ProfileUrl).HasMaxLength(Limits.UrlLength);
        });
        b.Entity<MemberRow>(e =>
        {
            KeyedByChannelUser(e, "members");
            e.HasIndex(x => new { x.AppId, x.UserId, x.ChannelId });
        });
        b.Entity<MessageRow>(e =>
        {
            e.ToTable("messages");
            e.HasKey(x => x.MessageId);
            e.Property(x => x.MessageId).ValueGeneratedOnAdd();
            e.Property(x => x.AppId).HasMaxLength(64);
            e.Property(x => x.ChannelId).HasMaxLength(Limits.IdLength);
            e.Property(x => x.UserId).HasMaxLength(Limits.IdLength);
            e.Property(x => x.Type).HasMaxLength(8);
            e.HasIndex(x => new { x.AppId, x.ChannelId, x.MessageId });
        });
        b.Entity<BanRow>(e => KeyedByChannelUser(e, "bans"));
        b.Entity<ReportRow>(e =>
        {
            e.ToTable("reports");
            e.HasKey(x => x.ReportId);
            e.Property(x => x.ReportId).HasMaxLength(40);
            e.Property(x => x.AppId).HasMaxLength(64);
            e.Property(x => x.ChannelId).HasMaxLength(Limits.IdLength);
            e.HasIndex(x => new { x.AppId, x.ChannelId, x.CreatedAt });
            e.HasIndex(x => new { x.AppId, x.CreatedAt });
        });
        b.Entity<DeviceTokenRow>(e =>
        {
            e.ToTable("device_tokens");
            e.HasKey(x => new { x.AppId, x.DeviceId });
            e.Property(x => x.AppId).HasMaxLength(64);
            e.Property(x => x.DeviceId).HasMaxLength(Limits.ClientIdLength);
            e.Property(x => x.UserId).HasMaxLength(Limits.IdLength);
            e.Property(x => x.Token).HasMaxLength(Limits.DeviceTokenLength);
            e.Property(x => x.Platform).HasMaxLength(8);
            e.Property(x => x.ClientId).HasMaxLength(Limits.ClientIdLength);
            e.HasIndex(x => new { x.AppId, x.Token }).IsUnique();
            e.HasIndex(x => new { x.AppId, x.UserId });
        });
        b.Entity<OpenManagerRow>(e => KeyedByChannelUser(e, "open_channel_managers"));
        b.Entity<ConsoleSessionRow>(e =>
        {
            e.ToTable("console_sessions");
            e.HasKey(x => x.SessionHash);
            e.Property(x => x.SessionHash).HasMaxLength(64);
            e.Property(x => x.AppId).HasMaxLength(64);
            e.Property(x => x.KeyHash).HasMaxLength(64);
            e.Property(x => x.CsrfToken).HasMaxLength(64);
            e.HasIndex(x => x.ExpiresAt);
        });
        b.Entity<ModerationActionRow>(e =>
        {
            e.ToTable("moderation_actions");
            e.HasKey(x => x.ActionId);
            e.Property(x => x.ActionId).HasMaxLength(40);
            e.Property(x => x.AppId).HasMaxLength(64);
            e.Property(x => x.ReportId).HasMaxLength(40);
            e.Property(x => x.Action).HasMaxLength(16);
            e.Property(x => x.Actor).HasMaxLength(16);
            e.HasIndex(x => new { x.AppId, x.ReportId });
        });
        ConfigureMessageExtensions(b);
        b.Entity<MemberRow>().Property(x => x.PushPreference).HasMaxLength(8);
        PushModel.Configure(b);
        Webhooks.WebhookModel.Configure(b);
    }

    /// <summary>PROTOCOL §10 storage: the replies index on messages and the reactions table.</summary>
    private static void ConfigureMessageExtensions(ModelBuilder b)
    {
        b.Entity<MessageRow>(e =>
        {
            // A thread's replies page: the parent's replies by id.
            e.HasIndex(x => new { x.AppId, x.ParentMessageId, x.MessageId });
        });
        b.Entity<ReactionRow>(e =>
        {
            e.ToTable("reactions");
            e.HasKey(x => new { x.AppId, x.MessageId, x.Key, x.UserId });
            e.Property(x => x.AppId).HasMaxLength(64);
            e.Property(x => x.Key).HasMaxLength(Limits.ReactionKeyLength);
            e.Property(x => x.UserId).HasMaxLength(Limits.IdLength);
            // A page's reactions in the order they were made.
            e.HasIndex(x => new { x.AppId, x.MessageId, x.CreatedAt });
        });
    }

    /// <summary>A row of one user in one channel (a membership, a ban): keyed by app, channel and user.</summary>
    private static void KeyedByChannelUser<T>(EntityTypeBuilder<T> e, string table) where T : class
    {
        e.ToTable(table);
        e.HasKey(nameof(MemberRow.AppId), nameof(MemberRow.ChannelId), nameof(MemberRow.UserId));
        e.Property<string>(nameof(MemberRow.AppId)).HasMaxLength(64);
        e.Property<string>(nameof(MemberRow.ChannelId)).HasMaxLength(Limits.IdLength);
        e.Property<string>(nameof(MemberRow.UserId)).HasMaxLength(Limits.IdLength);
    }
}
