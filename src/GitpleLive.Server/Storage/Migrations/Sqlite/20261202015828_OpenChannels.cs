using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GitpleLive.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OpenChannels : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "MaxParticipantsPerOpenChannel",
                table: "apps",
                type: "INTEGER",
                nullable: false,
                defaultValue: 20000); // existing apps get the default limit (AppLimits.DefaultMaxParticipants)

            migrationBuilder.CreateTable(
                name: "open_channel_managers",
                columns: table => new
                {
                    AppId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ChannelId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_open_channel_managers", x => new { x.AppId, x.ChannelId, x.UserId });
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "open_channel_managers");

            migrationBuilder.DropColumn(
                name: "MaxParticipantsPerOpenChannel",
                table: "apps");
        }
    }
}
