using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace GitpleLive.Server.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SearchIndexInBatches : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // New messages join the full-text index in batches (Storage/SearchIndexer.cs) instead of by a trigger per
            // insert: messages_fts_state holds the highest message id indexed so far. Every message stored before this
            // migration was indexed by the old trigger.
            migrationBuilder.Sql("""
                CREATE TABLE messages_fts_state ("Id" INTEGER NOT NULL PRIMARY KEY CHECK ("Id" = 1), "IndexedThrough" INTEGER NOT NULL);
                """);
            migrationBuilder.Sql("""
                INSERT INTO messages_fts_state ("Id", "IndexedThrough") SELECT 1, coalesce(max("MessageId"), 0) FROM messages;
                """);
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS messages_fts_insert;");
            // An edit or a delete touches the index only for a message already in it (an external-content FTS5 'delete'
            // must name exactly what was indexed); one not indexed yet is read with its current content when it is.
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS messages_fts_delete;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS messages_fts_update;");
            migrationBuilder.Sql("""
                CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
                WHEN old."MessageId" <= (SELECT "IndexedThrough" FROM messages_fts_state WHERE "Id" = 1) BEGIN
                    INSERT INTO messages_fts(messages_fts, rowid, "Content") VALUES ('delete', old."MessageId", old."Content");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER messages_fts_update AFTER UPDATE OF "Content" ON messages
                WHEN old."MessageId" <= (SELECT "IndexedThrough" FROM messages_fts_state WHERE "Id" = 1) BEGIN
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
            migrationBuilder.Sql("DROP TABLE IF EXISTS messages_fts_state;");
        }
    }
}
