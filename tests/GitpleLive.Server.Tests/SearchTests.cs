using System.Text.Json.Nodes;
using GitpleLive.Server.Services;
using GitpleLive.Server.Storage;
using GitpleLive.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Server.Tests;

/// <summary>
/// PROTOCOL §10 search and the §5.3 history <c>content</c> filter through the full-text index, on SQLite
/// (<see cref="SqliteSearchTests"/>) and on PostgreSQL (<see cref="PostgresSearchTests"/>): the same tests on both.
/// </summary>
public abstract class SearchTests
{
    /// <summary>The running server of this provider (skips, or fails in CI, when PostgreSQL is missing).</summary>
    protected abstract TestServer Server { get; }

    protected abstract bool IsPostgres { get; }

    private async Task<(SdkUser Alice, SdkUser Bob, SdkUser Carol, string Channel)> Setup()
    {
        var u = await Server.NewUsersAsync("alice", "bob", "carol");
        return (u[0], u[1], u[2], await u[0].NewChannelAsync(u[1]));
    }

    private static string Q(string text) => Uri.EscapeDataString(text);

    private static async Task<JsonNode> SearchAsync(HttpClient http, string query, string? extra = null, string api = "/v1/sdk") =>
        (await http.GetJsonAsync($"{api}/search/messages?query={Q(query)}" + (extra is null ? "" : "&" + extra)))!;

    private static long[] Ids(JsonNode page) => page["messages"]!.AsArray().Select(m => m.Long("message_id")).ToArray();

    [SkippableFact]
    public async Task Finds_messages_by_their_words_newest_first_in_the_protocol_shape()
    {
        var (alice, bob, _, channel) = await Setup();
        var tag = "zq" + Guid.NewGuid().ToString("N")[..8];
        var first = await alice.SendTextAsync(channel, $"Lunch at noon? {tag}");
        await bob.SendTextAsync(channel, "nothing to see here");
        var second = await bob.SendTextAsync(channel, $"{tag.ToUpperInvariant()} LUNCH moved to one");
        await alice.SendTextAsync(channel, $"{tag} dinner");

        var page = await SearchAsync(bob.Http, $"lunch {tag}");
        Assert.Equal(new[] { second.Long("message_id"), first.Long("message_id") }, Ids(page));
        Assert.False(page.Has("next"));
        var hit = page["messages"]![0]!;
        // Messages as §3, with their channel and sender.
        Assert.Equal(channel, hit.Str("channel_id"));
        Assert.Equal("text", hit.Str("type"));
        Assert.Equal(second.Str("content"), hit.Str("content"));
        Assert.Equal(bob.UserId, hit["user"].Str("user_id"));
        Assert.Equal(second.Long("created_at"), hit.Long("created_at"));

        // Whole words in any case, every word must be there; the last one may be a word's beginning (as typed).
        Assert.Equal(3, Ids(await SearchAsync(alice.Http, tag[..5].ToUpperInvariant())).Length);
        Assert.Equal(2, Ids(await SearchAsync(alice.Http, $"{tag} lun")).Length);
        Assert.Empty(Ids(await SearchAsync(alice.Http, $"lun {tag}")));
        Assert.Empty(Ids(await SearchAsync(alice.Http, $"{tag} breakfast")));
        // Inside a word is not a match: the index looks for word beginnings.
        Assert.Empty(Ids(await SearchAsync(alice.Http, tag[2..])));
    }

    [SkippableFact]
    public async Task Pages_follow_next_until_the_last_and_filter_by_channel()
    {
        var (alice, bob, _, channel) = await Setup();
        var other = await alice.NewChannelAsync(bob);
        var tag = "pg" + Guid.NewGuid().ToString("N")[..8];
        var ids = new List<long>();
        for (var i = 0; i < 7; i++) ids.Add((await (i % 2 == 0 ? alice : bob).SendTextAsync(i < 5 ? channel : other, $"{tag} number {i}")).Long("message_id"));
        var newestFirst = ids.AsEnumerable().Reverse().ToArray();

        var seen = new List<long>();
        string? next = null;
        var pages = 0;
        do
        {
            var page = await SearchAsync(bob.Http, tag, "limit=3" + (next is null ? "" : "&next=" + Q(next)));
            var got = Ids(page);
            Assert.InRange(got.Length, 1, 3);
            seen.AddRange(got);
            next = page["next"]?.GetValue<string>();
            pages++;
        } while (next is not null);
        Assert.Equal(newestFirst, seen);
        Assert.Equal(3, pages);

        // One channel only.
        Assert.Equal(newestFirst.Where(id => id <= ids[4]), Ids(await SearchAsync(bob.Http, tag, $"channel_id={channel}")));
        Assert.Equal(new[] { ids[6], ids[5] }, Ids(await SearchAsync(bob.Http, tag, $"channel_id={other}")));
        var two = await SearchAsync(bob.Http, tag, $"channel_id={channel}&limit=2");
        Assert.Equal(new[] { ids[4], ids[3] }, Ids(two));
        Assert.Equal(new[] { ids[2], ids[1] },
            Ids(await SearchAsync(bob.Http, tag, $"channel_id={channel}&limit=2&next={Q(two["next"]!.GetValue<string>())}")));
        // A limit above 100 is taken as 100, as in §5.3.
        Assert.Equal(7, Ids(await SearchAsync(bob.Http, tag, "limit=500")).Length);
    }

    [SkippableFact]
    public async Task Only_the_callers_current_channels_are_searched()
    {
        var (alice, bob, carol, channel) = await Setup();
        var tag = "mb" + Guid.NewGuid().ToString("N")[..8];
        var m = await alice.SendTextAsync(channel, $"secret {tag}");
        // Carol is not a member: nothing, and naming the channel is refused.
        Assert.Empty(Ids(await SearchAsync(carol.Http, tag)));
        await carol.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/search/messages?query={tag}&channel_id={channel}", null, 403, 1008);
        await carol.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/search/messages?query={tag}&channel_id={Api.NewId("none")}", null, 404, 1003);
        // An SDK user cannot search as someone else.
        await carol.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/search/messages?query={tag}&user_id={alice.UserId}", null, 403, 3001);

        Assert.Equal(new[] { m.Long("message_id") }, Ids(await SearchAsync(bob.Http, tag)));
        // Bob leaves: the channel's messages are no longer his to find.
        await bob.Http.PutJsonAsync($"/v1/sdk/group/channels/{channel}/leave");
        Assert.Empty(Ids(await SearchAsync(bob.Http, tag)));
        await bob.Http.ExpectErrorAsync(HttpMethod.Get, $"/v1/sdk/search/messages?query={tag}&channel_id={channel}", null, 403, 1008);
        // Carol joins: now she finds it, history included.
        await carol.Http.PutJsonAsync($"/v1/sdk/group/channels/{channel}/join");
        Assert.Equal(new[] { m.Long("message_id") }, Ids(await SearchAsync(carol.Http, tag)));
    }

    [SkippableFact]
    public async Task The_platform_searches_as_a_user_or_across_its_app_and_never_another_app()
    {
        var (alice, bob, carol, channel) = await Setup();
        var carols = await carol.NewChannelAsync();
        var tag = "ap" + Guid.NewGuid().ToString("N")[..8];
        var inShared = await alice.SendTextAsync(channel, $"{tag} shared");
        var inCarols = await carol.SendTextAsync(carols, $"{tag} carol's own");

        Assert.Equal(new[] { inCarols.Long("message_id"), inShared.Long("message_id") }, Ids(await SearchAsync(Server.Platform, tag, api: "/v1")));
        Assert.Equal(new[] { inShared.Long("message_id") }, Ids(await SearchAsync(Server.Platform, tag, $"user_id={bob.UserId}", "/v1")));
        Assert.Equal(new[] { inCarols.Long("message_id") }, Ids(await SearchAsync(Server.Platform, tag, $"channel_id={carols}", "/v1")));
        await Server.Platform.ExpectErrorAsync(HttpMethod.Get, $"/v1/search/messages?query={tag}&user_id={Api.NewId("nobody")}", null, 404, 1004);
        await Server.Platform.ExpectErrorAsync(HttpMethod.Get, $"/v1/search/messages?query={tag}&user_id={bob.UserId}&channel_id={carols}", null, 403, 1008);

        // Another app with the same user ids, channel id and words sees only its own.
        var apps = Server.Services.GetRequiredService<AppService>();
        var otherAppId = Api.NewId("app2");
        await apps.CreateAsync(otherAppId, "second", "key-" + otherAppId, allowTokenless: false);
        using var otherPlatform = new HttpClient { BaseAddress = new Uri(Server.BaseUrl) };
        otherPlatform.DefaultRequestHeaders.Add("APP_ID", otherAppId);
        otherPlatform.DefaultRequestHeaders.Add("APP_API_KEY", "key-" + otherAppId);
        Assert.Empty(Ids(await SearchAsync(otherPlatform, tag, api: "/v1")));
        await otherPlatform.PostJsonAsync("/v1/users", new { user_id = bob.UserId, name = "Bob 2" });
        await otherPlatform.PostJsonAsync("/v1/group/channels", new { channel_id = channel, name = "same id", members = new[] { bob.UserId } });
        var theirs = await otherPlatform.PostJsonAsync($"/v1/group/channels/{channel}/messages", new { user_id = bob.UserId, type = "text", content = $"{tag} other app" });
        Assert.Equal(new[] { theirs.Long("message_id") }, Ids(await SearchAsync(otherPlatform, tag, $"user_id={bob.UserId}", "/v1")));
        Assert.Equal(new[] { inShared.Long("message_id") }, Ids(await SearchAsync(bob.Http, tag)));
        Assert.Equal(new[] { inShared.Long("message_id") }, Ids(await SearchAsync(bob.Http, tag, $"channel_id={channel}")));
    }

    [SkippableFact]
    public async Task Deleted_and_changed_messages_leave_the_index()
    {
        var (alice, bob, _, channel) = await Setup();
        var tag = "dl" + Guid.NewGuid().ToString("N")[..8];
        var gone = await alice.SendTextAsync(channel, $"{tag} oops");
        var kept = await alice.SendTextAsync(channel, $"{tag} fine");
        await alice.Http.DeleteJsonAsync($"/v1/sdk/group/channels/{channel}/messages/{gone.Long("message_id")}");
        Assert.Equal(new[] { kept.Long("message_id") }, Ids(await SearchAsync(bob.Http, tag)));
        Assert.Empty(Ids(await SearchAsync(bob.Http, $"{tag} oops")));

        // A content change (as an edit makes it) is indexed anew: the old words go, the new ones come.
        var id = kept.Long("message_id");
        await Server.Services.GetRequiredService<ChatStore>().WriteAsync(db =>
            db.Messages.Where(m => m.MessageId == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Content, $"{tag} rewritten")));
        Assert.Empty(Ids(await SearchAsync(bob.Http, $"{tag} fine")));
        Assert.Equal(new[] { id }, Ids(await SearchAsync(bob.Http, $"{tag} rewritten")));
        // And through the edit call itself.
        await alice.Http.PutJsonAsync($"/v1/sdk/group/channels/{channel}/messages/{id}", new { content = $"{tag} edited again" });
        Assert.Empty(Ids(await SearchAsync(bob.Http, $"{tag} rewritten")));
        Assert.Equal(new[] { id }, Ids(await SearchAsync(bob.Http, $"{tag} again")));
        Assert.Equal(new[] { id }, Ids((await bob.Http.GetJsonAsync($"/v1/sdk/group/channels/{channel}/messages?content=edited"))!));

        // A deleted channel takes its messages out of the index.
        await alice.Http.DeleteJsonAsync($"/v1/sdk/group/channels/{channel}");
        Assert.Empty(Ids(await SearchAsync(Server.Platform, tag, api: "/v1")));
    }

    [SkippableFact]
    public async Task Query_syntax_is_text_and_bad_input_is_named()
    {
        var (alice, bob, _, channel) = await Setup();
        var tag = "sx" + Guid.NewGuid().ToString("N")[..8];
        var m = await alice.SendTextAsync(channel, $"she said \"{tag}\" NEAR(the door) OR not; col:{tag}x AND *star*");
        var id = m.Long("message_id");
        // Index operators, quotes, parentheses, column filters and stars are plain text: words in, no error, no 500.
        foreach (var q in new[] { $"\"{tag}", $"{tag}\"", $"NEAR({tag} door)", $"{tag} OR", $"{tag} AND NOT", $"col:{tag}", $"{tag}*",
                     $"^{tag}", $"{tag} -said", $"'{tag}' & !door", $"{tag}:*", $"({tag}", $"{tag} <-> door", "\\" + tag, $"{tag}%_" })
            Assert.True(Ids(await SearchAsync(bob.Http, q)).Contains(id), q);
        // Only separators, or nothing that is a word: no match (not an error).
        foreach (var q in new[] { "\"", "\"\"", "*", "(", "()", "🎉", ":*", "&|!", "-", "^", "\u0301" })
            Assert.Empty(Ids(await SearchAsync(bob.Http, q)));
        Assert.Empty(Ids(await SearchAsync(bob.Http, $"' OR 1=1 -- {tag}zz")));
        // "NEAR" and "OR" are searched as words like any other.
        Assert.Contains(id, Ids(await SearchAsync(bob.Http, $"{tag} near or")));

        var path = "/v1/sdk/search/messages";
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, path, null, "query");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?query=", null, "query");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?query=%20%20", null, "query");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?query={new string('a', 257)}", null, "query");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?query={string.Join('+', Enumerable.Range(0, 17).Select(i => $"w{i}"))}", null, "query");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?query={tag}&limit=0", null, "limit");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?query={tag}&limit=ten", null, "limit");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?query={tag}&next=not-a-cursor", null, "next");
        var foreign = System.Buffers.Text.Base64Url.EncodeToString("123:abc"u8);
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?query={tag}&next={foreign}", null, "next");
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?query={tag}&channel_id={Q("bad id!")}", null, "channel_id");
        // 256 characters is still fine, and so are 16 words.
        Assert.Empty(Ids(await SearchAsync(bob.Http, new string('a', 256))));
        Assert.Empty(Ids(await SearchAsync(bob.Http, string.Join(' ', Enumerable.Range(0, 16).Select(i => $"w{i}")))));
    }

    [SkippableFact]
    public async Task Unicode_words_are_found_in_any_case()
    {
        var (alice, bob, _, channel) = await Setup();
        var tag = "uc" + Guid.NewGuid().ToString("N")[..8];
        var greek = await alice.SendTextAsync(channel, $"{tag} ΚΑΛΗΜΈΡΑ Straße Café");
        var cjk = await alice.SendTextAsync(channel, $"{tag} 日本語のテキスト 中文 한국어");
        Assert.Equal(new[] { greek.Long("message_id") }, Ids(await SearchAsync(bob.Http, $"{tag} καλημέρα")));
        Assert.Equal(new[] { greek.Long("message_id") }, Ids(await SearchAsync(bob.Http, $"{tag} straße café")));
        // Text without spaces is one word per run: found by its beginning.
        Assert.Equal(new[] { cjk.Long("message_id") }, Ids(await SearchAsync(bob.Http, $"{tag} 日本")));
        Assert.Equal(new[] { cjk.Long("message_id") }, Ids(await SearchAsync(bob.Http, $"{tag} 中文 한국어")));
        Assert.Empty(Ids(await SearchAsync(bob.Http, $"{tag} テキスト")));
        // Accents: SQLite's tokenizer removes them (remove_diacritics 2); PostgreSQL's 'simple' keeps them.
        var plain = Ids(await SearchAsync(bob.Http, $"{tag} cafe"));
        if (IsPostgres) Assert.Empty(plain);
        else Assert.Equal(new[] { greek.Long("message_id") }, plain);
    }

    [SkippableFact]
    public async Task The_history_content_filter_reads_the_index_with_word_semantics()
    {
        var (alice, bob, _, channel) = await Setup();
        var tag = "hc" + Guid.NewGuid().ToString("N")[..8];
        var ids = new List<long>();
        for (var i = 0; i < 8; i++) ids.Add((await alice.SendTextAsync(channel, i % 2 == 0 ? $"{tag} even {i}" : $"odd {i}")).Long("message_id"));
        var path = $"/v1/sdk/group/channels/{channel}/messages";
        async Task<long[]> Page(string query) => Ids((await bob.Http.GetJsonAsync($"{path}?{query}"))!);

        var even = new[] { ids[0], ids[2], ids[4], ids[6] };
        // Ascending as every history page, prev and next around a base, limits.
        Assert.Equal(even, await Page($"content={tag}"));
        Assert.Equal(even[2..], await Page($"content={tag}&limit=2"));
        Assert.Equal(even[..2], await Page($"content={tag}&mode=prev&base_message_id={ids[4]}"));
        Assert.Equal(even[..2], await Page($"content={tag}&mode=next&limit=2"));
        Assert.Equal(even[2..], await Page($"content={tag}&mode=next&base_message_id={ids[3]}"));
        Assert.Equal(even, await Page($"content={tag}&type=text"));
        Assert.Empty(await Page($"content={tag}&type=file"));
        // Words, any case, in any order; a word's middle is not a match.
        Assert.Equal(new[] { ids[4] }, await Page($"content={Q($"4 {tag.ToUpperInvariant()}")}"));
        Assert.Empty(await Page($"content={tag[3..]}"));
        Assert.Equal(new[] { ids[1], ids[3], ids[5], ids[7] }, await Page("content=odd"));
        // Syntax is text here too; too many words is named.
        Assert.Equal(even, await Page($"content={Q($"\"{tag}\"* (")}"));
        Assert.Empty(await Page($"content={Q($"\"{tag}\" NEAR(")}"));
        await bob.Http.ExpectInvalidAsync(HttpMethod.Get, $"{path}?content={string.Join('+', Enumerable.Range(0, 17).Select(i => $"w{i}"))}", null, "content");
    }
}

/// <summary>The search tests on SQLite (FTS5).</summary>
public sealed class SqliteSearchTests(ServerFixture fx) : SearchTests, IClassFixture<ServerFixture>
{
    protected override TestServer Server => fx.Server;

    protected override bool IsPostgres => false;

    [Fact]
    public async Task The_bundled_sqlite_has_fts5_and_the_index_is_in_the_schema()
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_compileoption_used('ENABLE_FTS5')";
        Assert.Equal(1L, await command.ExecuteScalarAsync());

        var names = await Server.Services.GetRequiredService<ChatStore>().ReadAsync(db =>
            db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE name LIKE 'messages_fts%' ORDER BY name").ToListAsync());
        Assert.Contains("messages_fts", names);
        Assert.Contains("messages_fts_state", names);
        Assert.Contains("messages_fts_update", names);
        Assert.Contains("messages_fts_delete", names);
        // New messages join the index in batches (SearchIndexer), not by a trigger per insert.
        Assert.DoesNotContain("messages_fts_insert", names);
    }
}

/// <summary>
/// SQLite's batch indexing (<see cref="SearchIndexer"/>): with the timer all but off, a search still finds every message
/// stored before it, edits and deletes of messages not indexed yet leave the index exact, and the timer indexes by itself.
/// </summary>
public sealed class SqliteSearchIndexTests
{
    private static async Task<JsonNode> SearchAsync(HttpClient http, string query) =>
        (await http.GetJsonAsync($"/v1/sdk/search/messages?query={Uri.EscapeDataString(query)}"))!;

    private static long[] Ids(JsonNode page) => page["messages"]!.AsArray().Select(m => m.Long("message_id")).ToArray();

    private static Task<long> IndexedThroughAsync(TestServer server) => server.Services.GetRequiredService<ChatStore>().ReadAsync(db =>
        db.Database.SqlQueryRaw<long>("SELECT \"IndexedThrough\" AS \"Value\" FROM messages_fts_state").SingleAsync());

    private static Task<int> IntegrityCheckAsync(TestServer server) => server.Services.GetRequiredService<ChatStore>().WriteAsync(db =>
        // FTS5 raises an error when the index does not match the content it indexes.
        db.Database.ExecuteSqlRawAsync("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)"));

    [Fact]
    public async Task A_search_finds_messages_the_timer_has_not_indexed_and_edits_and_deletes_before_indexing_keep_it_exact()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["GitpleLive:SearchIndexInterval"] = "01:00:00",
        });
        var u = await server.NewUsersAsync("alice", "bob");
        var (alice, bob) = (u[0], u[1]);
        var channel = await alice.NewChannelAsync(bob);
        var tag = "zq" + Guid.NewGuid().ToString("N")[..8];
        var kept = await alice.SendTextAsync(channel, $"{tag} kept");
        var edited = await alice.SendTextAsync(channel, $"{tag} before");
        var deleted = await bob.SendTextAsync(channel, $"{tag} gone");
        Assert.True(await IndexedThroughAsync(server) < kept.Long("message_id"));

        // Changed and removed before the index has seen them: the index later reads what is stored then.
        await alice.Http.PutJsonAsync($"/v1/sdk/group/channels/{channel}/messages/{edited.Long("message_id")}", new { content = $"{tag} after" });
        (await bob.Http.DeleteAsync($"/v1/sdk/group/channels/{channel}/messages/{deleted.Long("message_id")}")).EnsureSuccessStatusCode();

        Assert.Equal(new[] { edited.Long("message_id"), kept.Long("message_id") }, Ids(await SearchAsync(bob.Http, tag)));
        Assert.Equal(new[] { edited.Long("message_id") }, Ids(await SearchAsync(bob.Http, $"{tag} after")));
        Assert.Empty(Ids(await SearchAsync(bob.Http, $"{tag} before")));
        Assert.Empty(Ids(await SearchAsync(bob.Http, $"{tag} gone")));
        // Up to the newest message stored (the deleted one is not there to index).
        Assert.True(await IndexedThroughAsync(server) >= edited.Long("message_id"));

        // Indexed now: an edit and a delete go through the index's triggers, and the index still matches its content.
        await alice.Http.PutJsonAsync($"/v1/sdk/group/channels/{channel}/messages/{edited.Long("message_id")}", new { content = $"{tag} again" });
        (await alice.Http.DeleteAsync($"/v1/sdk/group/channels/{channel}/messages/{kept.Long("message_id")}")).EnsureSuccessStatusCode();
        Assert.Equal(new[] { edited.Long("message_id") }, Ids(await SearchAsync(bob.Http, tag)));
        Assert.Empty(Ids(await SearchAsync(bob.Http, $"{tag} after")));
        // The history's content filter reads the same index, caught up the same way.
        var later = await alice.SendTextAsync(channel, $"{tag} filtered");
        var page = (await bob.Http.GetJsonAsync($"/v1/sdk/group/channels/{channel}/messages?content={Uri.EscapeDataString("filtered")}"))!;
        Assert.Equal(new[] { later.Long("message_id") }, Ids(page));
        await IntegrityCheckAsync(server);
    }

    [Fact]
    public async Task The_timer_indexes_new_messages_without_a_search()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["GitpleLive:SearchIndexInterval"] = "00:00:00.020",
        });
        var u = await server.NewUsersAsync("alice", "bob");
        var channel = await u[0].NewChannelAsync(u[1]);
        var sent = await u[0].SendTextAsync(channel, "indexed by the timer");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (await IndexedThroughAsync(server) < sent.Long("message_id") && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.True(await IndexedThroughAsync(server) >= sent.Long("message_id"));
        await IntegrityCheckAsync(server);
    }

    [Fact]
    public async Task A_search_index_interval_that_is_not_positive_is_refused_at_start_naming_the_setting()
    {
        var e = await Assert.ThrowsAnyAsync<Exception>(async () => await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["GitpleLive:SearchIndexInterval"] = "00:00:00",
        }));
        Assert.Contains("SearchIndexInterval", e.ToString());
    }
}

/// <summary>One PostgreSQL-backed server for the class, in a database of its own.</summary>
public sealed class PostgresSearchFixture : IAsyncLifetime
{
    private string? _db;

    public TestServer? Server { get; private set; }

    /// <summary>Why PostgreSQL is not there, when it is not.</summary>
    public string? Missing { get; private set; }

    public async Task InitializeAsync()
    {
        Missing = await ExternalServices.PostgresUnavailableAsync();
        if (Missing is not null) return;
        _db = await ExternalServices.CreatePostgresDatabaseAsync();
        Server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["GitpleLive:StorageProvider"] = "postgres", ["GitpleLive:ConnectionString"] = _db,
        });
    }

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        if (_db is not null) await ExternalServices.DropPostgresDatabaseAsync(_db);
    }
}

/// <summary>The search tests on PostgreSQL (GIN full-text index); they run in CI (never skipped there).</summary>
public sealed class PostgresSearchTests(PostgresSearchFixture fx) : SearchTests, IClassFixture<PostgresSearchFixture>
{
    protected override TestServer Server
    {
        get
        {
            if (fx.Missing is { } reason)
            {
                Assert.False(ExternalServices.InCi, reason);
                Skip.If(true, reason);
            }
            return fx.Server!;
        }
    }

    protected override bool IsPostgres => true;

    [SkippableFact]
    public async Task Searches_use_the_gin_index()
    {
        var plan = await Server.Services.GetRequiredService<ChatStore>().ReadAsync(async db =>
        {
            // One connection for both statements: the setting holds for the session.
            var connection = db.Database.GetDbConnection();
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SET enable_seqscan = off";
            await command.ExecuteNonQueryAsync();
            command.CommandText = "EXPLAIN SELECT \"MessageId\" FROM messages WHERE to_tsvector('simple'::regconfig, "
                + "coalesce(\"Content\", '')) @@ to_tsquery('simple'::regconfig, 'abc:*')";
            var lines = new List<string>();
            await using (var reader = await command.ExecuteReaderAsync())
                while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
            command.CommandText = "RESET enable_seqscan";
            await command.ExecuteNonQueryAsync();
            await connection.CloseAsync();
            return string.Join('\n', lines);
        });
        Assert.Contains("IX_messages_search", plan);
    }
}
