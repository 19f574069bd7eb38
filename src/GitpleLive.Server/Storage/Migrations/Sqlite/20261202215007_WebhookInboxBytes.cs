using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GitpleLive.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WebhookInboxBytes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<byte[]>(
                name: "Rows",
                table: "webhook_inbox",
                type: "BLOB",
                nullable: false,
                oldClrType: typeof(string),
                oldType: "TEXT");
            // The rebuilt table keeps the queued deliveries' values as text: store them as the blobs the server writes now.
            migrationBuilder.Sql("""UPDATE webhook_inbox SET "Rows" = CAST("Rows" AS BLOB)""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "Rows",
                table: "webhook_inbox",
                type: "TEXT",
                nullable: false,
                oldClrType: typeof(byte[]),
                oldType: "BLOB");
            migrationBuilder.Sql("""UPDATE webhook_inbox SET "Rows" = CAST("Rows" AS TEXT)""");
        }
    }
}
