namespace GitpleLive.Server.Storage;

/// <summary>The chat store on PostgreSQL (for more than one server node).</summary>
public sealed class PostgresChatDbContext(DbContextOptions<PostgresChatDbContext> options) : ChatDbContext(options);
