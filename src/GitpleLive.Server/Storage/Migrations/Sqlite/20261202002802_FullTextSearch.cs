using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GitpleLive.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FullTextSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The full-text index of messages' content (Storage/MessageSearch.cs). An FTS5 table with external content:
            // it stores the index only, reading the text from messages (rowid = MessageId), and triggers keep it in step
            // with every insert, content update and delete. Tokenizer unicode61 remove_diacritics 2: words are runs of
            // letters, digits and marks, folded to lower case with diacritics removed ("Café" is found by "cafe"); text
            // without spaces (Chinese, Japanese) is one word per run, found by its beginning only.
            // A later migration that makes EF Core rebuild the messages table (a column type change or drop on SQLite)
            // drops these triggers with the old table: such a migration must create them again.
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE messages_fts USING fts5(
                    "Content", content='messages', content_rowid='MessageId', tokenize='unicode61 remove_diacritics 2');
                """);
            migrationBuilder.Sql("INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');");
            migrationBuilder.Sql("""
                CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
                    INSERT INTO messages_fts(rowid, "Content") VALUES (new."MessageId", new."Content");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
                    INSERT INTO messages_fts(messages_fts, rowid, "Content") VALUES ('delete', old."MessageId", old."Content");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER messages_fts_update AFTER UPDATE OF "Content" ON messages BEGIN
                    INSERT INTO messages_fts(messages_fts, rowid, "Content") VALUES ('delete', old."MessageId", old."Content");
                    INSERT INTO messages_fts(rowid, "Content") VALUES (new."MessageId", new."Content");
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS messages_fts_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS messages_fts_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS messages_fts_insert;");
            migrationBuilder.Sql("DROP TABLE IF EXISTS messages_fts;");
        }
    }
}
