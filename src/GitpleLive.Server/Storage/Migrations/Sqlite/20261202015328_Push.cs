using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GitpleLive.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Push : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "PushPreference",
                table: "members",
                type: "TEXT",
                maxLength: 8,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "push_outbox",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    AppId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ChannelId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    MessageId = table.Column<long>(type: "INTEGER", nullable: false),
                    SenderId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    Payload = table.Column<string>(type: "TEXT", nullable: false),
                    Targets = table.Column<string>(type: "TEXT", nullable: true),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LeaseUntil = table.Column<long>(type: "INTEGER", nullable: false),
                    LeaseToken = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_push_outbox", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "push_settings",
                columns: table => new
                {
                    AppId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Fcm = table.Column<string>(type: "TEXT", nullable: true),
                    Apns = table.Column<string>(type: "TEXT", nullable: true),
                    Webhook = table.Column<string>(type: "TEXT", nullable: true),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_push_settings", x => x.AppId);
                });

            migrationBuilder.CreateIndex(
                name: "IX_push_outbox_AppId",
                table: "push_outbox",
                column: "AppId");

            migrationBuilder.CreateIndex(
                name: "IX_push_outbox_NextAttemptAt",
                table: "push_outbox",
                column: "NextAttemptAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "push_outbox");

            migrationBuilder.DropTable(
                name: "push_settings");

            migrationBuilder.DropColumn(
                name: "PushPreference",
                table: "members");
        }
    }
}
