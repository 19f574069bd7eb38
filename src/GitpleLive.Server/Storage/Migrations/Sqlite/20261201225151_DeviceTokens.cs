using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GitpleLive.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DeviceTokens : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "device_tokens",
                columns: table => new
                {
                    AppId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    DeviceId = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Token = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    Platform = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    ClientId = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_device_tokens", x => new { x.AppId, x.DeviceId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_device_tokens_AppId_Token",
                table: "device_tokens",
                columns: new[] { "AppId", "Token" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_device_tokens_AppId_UserId",
                table: "device_tokens",
                columns: new[] { "AppId", "UserId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "device_tokens");
        }
    }
}
