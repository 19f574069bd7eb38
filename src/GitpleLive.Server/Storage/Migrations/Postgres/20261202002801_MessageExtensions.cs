using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GitpleLive.Server.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class MessageExtensions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "EditedAt",
                table: "messages",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LastReplyAt",
                table: "messages",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "MentionedUserIds",
                table: "messages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ParentMessageId",
                table: "messages",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ReplyCount",
                table: "messages",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "reactions",
                columns: table => new
                {
                    AppId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    MessageId = table.Column<long>(type: "bigint", nullable: false),
                    Key = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    UserId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_reactions", x => new { x.AppId, x.MessageId, x.Key, x.UserId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_messages_AppId_ParentMessageId_MessageId",
                table: "messages",
                columns: new[] { "AppId", "ParentMessageId", "MessageId" });

            migrationBuilder.CreateIndex(
                name: "IX_reactions_AppId_MessageId_CreatedAt",
                table: "reactions",
                columns: new[] { "AppId", "MessageId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "reactions");

            migrationBuilder.DropIndex(
                name: "IX_messages_AppId_ParentMessageId_MessageId",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "EditedAt",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "LastReplyAt",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "MentionedUserIds",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "ParentMessageId",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "ReplyCount",
                table: "messages");
        }
    }
}
