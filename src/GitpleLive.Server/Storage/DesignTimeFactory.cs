using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace GitpleLive.Server.Storage;

/// <summary>Lets <c>dotnet ef migrations add</c> build the SQLite model without starting the server.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<ChatDbContext>
{
    public ChatDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ChatDbContext>().UseSqlite("Data Source=design.db").Options);
}
