using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GitpleLive.Server.Storage.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FullTextSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The full-text index of messages' content (Storage/MessageSearch.cs): a GIN index on an expression, so
            // PostgreSQL keeps it with every write (no column, no trigger). Configuration 'simple': words lower-cased, no
            // stemming, no stop words, accents kept ("café" is not found by "cafe"); the default parser keeps e-mail
            // addresses, URLs and numbers such as 1.5 as single words; text without spaces (Chinese, Japanese) is one word
            // per run, found by its beginning only. Queries must use the same expression to use the index.
            migrationBuilder.Sql("""
                CREATE INDEX "IX_messages_search" ON messages
                    USING GIN (to_tsvector('simple'::regconfig, coalesce("Content", '')));
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS \"IX_messages_search\";");
        }
    }
}
