using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace GitpleLive.Server.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "apps",
                columns: table => new
                {
                    AppId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    ApiKey = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    TokenSecret = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    AllowTokenless = table.Column<bool>(type: "boolean", nullable: false),
                    MaxMembersPerChannel = table.Column<int>(type: "integer", nullable: false),
                    MaxManagersPerChannel = table.Column<int>(type: "integer", nullable: false),
                    MaxFileSize = table.Column<long>(type: "bigint", nullable: false),
                    MaxMetaKeys = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_apps", x => x.AppId);
                });

            migrationBuilder.CreateTable(
                name: "bans",
                columns: table => new
                {
                    AppId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ChannelId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    UserId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    StartAt = table.Column<long>(type: "bigint", nullable: false),
                    EndAt = table.Column<long>(type: "bigint", nullable: false),
                    Reason = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_bans", x => new { x.AppId, x.ChannelId, x.UserId });
                });

            migrationBuilder.CreateTable(
                name: "channels",
                columns: table => new
                {
                    AppId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ChannelId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Type = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    Name = table.Column<string>(type: "character varying(191)", maxLength: 191, nullable: false),
                    ProfileUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    Meta = table.Column<string>(type: "text", nullable: true),
                    Freeze = table.Column<bool>(type: "boolean", nullable: false),
                    TotalMessageCount = table.Column<long>(type: "bigint", nullable: false),
                    TotalFileCount = table.Column<long>(type: "bigint", nullable: false),
                    LastMessageId = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_channels", x => new { x.AppId, x.ChannelId });
                });

            migrationBuilder.CreateTable(
                name: "members",
                columns: table => new
                {
                    AppId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ChannelId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    UserId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    IsManager = table.Column<bool>(type: "boolean", nullable: false),
                    JoinedAt = table.Column<long>(type: "bigint", nullable: false),
                    ReadMessageId = table.Column<long>(type: "bigint", nullable: false),
                    ReadAt = table.Column<long>(type: "bigint", nullable: false),
                    DeliveredAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_members", x => new { x.AppId, x.ChannelId, x.UserId });
                });

            migrationBuilder.CreateTable(
                name: "messages",
                columns: table => new
                {
                    MessageId = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    AppId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ChannelId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Type = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    UserId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Content = table.Column<string>(type: "text", nullable: true),
                    FileName = table.Column<string>(type: "text", nullable: true),
                    FileType = table.Column<string>(type: "text", nullable: true),
                    FileSize = table.Column<long>(type: "bigint", nullable: true),
                    FileKey = table.Column<string>(type: "text", nullable: true),
                    Meta = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_messages", x => x.MessageId);
                });

            migrationBuilder.CreateTable(
                name: "reports",
                columns: table => new
                {
                    ReportId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    AppId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ReportType = table.Column<string>(type: "text", nullable: false),
                    ReportCategory = table.Column<string>(type: "text", nullable: false),
                    ReportingUserId = table.Column<string>(type: "text", nullable: false),
                    Reason = table.Column<string>(type: "text", nullable: true),
                    TargetUserId = table.Column<string>(type: "text", nullable: true),
                    ChannelId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    MessageId = table.Column<long>(type: "bigint", nullable: true),
                    UserSnapshot = table.Column<string>(type: "text", nullable: true),
                    ChannelSnapshot = table.Column<string>(type: "text", nullable: true),
                    MessageSnapshot = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reports", x => x.ReportId);
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    AppId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    UserId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    Name = table.Column<string>(type: "character varying(191)", maxLength: 191, nullable: false),
                    ProfileUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: true),
                    Meta = table.Column<string>(type: "text", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_users", x => new { x.AppId, x.UserId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_members_AppId_UserId_ChannelId",
                table: "members",
                columns: new[] { "AppId", "UserId", "ChannelId" });

            migrationBuilder.CreateIndex(
                name: "IX_messages_AppId_ChannelId_MessageId",
                table: "messages",
                columns: new[] { "AppId", "ChannelId", "MessageId" });

            migrationBuilder.CreateIndex(
                name: "IX_reports_AppId_ChannelId_CreatedAt",
                table: "reports",
                columns: new[] { "AppId", "ChannelId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_users_AppId_CreatedAt",
                table: "users",
                columns: new[] { "AppId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "apps");

            migrationBuilder.DropTable(
                name: "bans");

            migrationBuilder.DropTable(
                name: "channels");

            migrationBuilder.DropTable(
                name: "members");

            migrationBuilder.DropTable(
                name: "messages");

            migrationBuilder.DropTable(
                name: "reports");

            migrationBuilder.DropTable(
                name: "users");
        }
    }
}
