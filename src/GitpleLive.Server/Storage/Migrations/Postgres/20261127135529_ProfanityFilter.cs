using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GitpleLive.Server.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ProfanityFilter : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "FilterOriginContent",
                table: "messages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ProfanityMode",
                table: "apps",
                type: "character varying(8)",
                maxLength: 8,
                nullable: false,
                defaultValue: "off");

            migrationBuilder.AddColumn<string>(
                name: "ProfanityWords",
                table: "apps",
                type: "text",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "FilterOriginContent",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "ProfanityMode",
                table: "apps");

            migrationBuilder.DropColumn(
                name: "ProfanityWords",
                table: "apps");
        }
    }
}
