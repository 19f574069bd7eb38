using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GitpleLive.Server.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class WebhookInboxBytes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The scaffolded ALTER has no USING clause and would fail on a table with rows: queued deliveries are kept as UTF-8.
            migrationBuilder.Sql("""ALTER TABLE webhook_inbox ALTER COLUMN "Rows" TYPE bytea USING convert_to("Rows", 'UTF8')""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""ALTER TABLE webhook_inbox ALTER COLUMN "Rows" TYPE text USING convert_from("Rows", 'UTF8')""");
        }
    }
}
