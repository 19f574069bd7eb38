namespace GitpleLive.Server.Storage;

/// <summary>The chat store on SQLite (the single-machine default).</summary>
public sealed class SqliteChatDbContext(DbContextOptions<SqliteChatDbContext> options) : ChatDbContext(options);
