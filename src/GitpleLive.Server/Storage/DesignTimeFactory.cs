using Microsoft.EntityFrameworkCore.Design;

namespace GitpleLive.Server.Storage;

// Let `dotnet ef migrations add` build each provider's model without starting the server:
//   dotnet ef migrations add NAME --context SqliteChatDbContext -o Storage/Migrations/Sqlite
//   dotnet ef migrations add NAME --context PostgresChatDbContext -o Storage/Migrations/Postgres

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteChatDbContext>
{
    public SqliteChatDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteChatDbContext>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresChatDbContext>
{
    public PostgresChatDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresChatDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
