using System.Text.Json;
using GitpleLive.Chat.Internal;

namespace GitpleLive.Chat.Tests.Unit;

public class JsonModelTests
{
    private const string UserJson = """{"user_id":"u1","name":"Ann","profile_url":"https://x/p.png","meta":{"Team":"a"},"created_at":1658977173917,"updated_at":1658977173918,"joined_at":1658977173919}""";

    private const string MessageJson = """
        {"message_id":9007199254740991,"channel_id":"c1","type":"file","user":{"user_id":"u1","name":"Ann","created_at":1,"updated_at":2},
         "file":{"type":"image/png","name":"a.png","url":"https://h/files/1?sig=x","size":123},
         "meta":{"k":"v"},"filter":{"origin_content":"bad","type":["profanity"]},"created_at":3,"updated_at":4}
        """;

    [Fact]
    public void User_reads_snake_case_and_keeps_meta_keys_as_sent()
    {
        var user = JsonSerializer.Deserialize(UserJson, ChatJsonContext.Default.User)!;
        Assert.Equal("u1", user.UserId);
        Assert.Equal("Ann", user.Name);
        Assert.Equal("https://x/p.png", user.ProfileUrl);
        Assert.Equal("a", user.Meta!["Team"]);
        Assert.Equal(1658977173917, user.CreatedAt);
        Assert.Equal(1658977173918, user.UpdatedAt);
        Assert.Equal(1658977173919, user.JoinedAt);
    }

    [Fact]
    public void Absent_optionals_stay_null_and_are_omitted_when_written()
    {
        var user = JsonSerializer.Deserialize("""{"user_id":"u1","name":"Ann","created_at":1,"updated_at":2}""", ChatJsonContext.Default.User)!;
        Assert.Null(user.ProfileUrl);
        Assert.Null(user.Meta);
        Assert.Null(user.JoinedAt);
        var json = JsonSerializer.Serialize(user, ChatJsonContext.Default.User);
        Assert.Equal("""{"user_id":"u1","name":"Ann","created_at":1,"updated_at":2}""", json);
    }

    [Fact]
    public void Round_trips_keep_every_field()
    {
        var user = JsonSerializer.Deserialize(UserJson, ChatJsonContext.Default.User)!;
        var again = JsonSerializer.Deserialize(JsonSerializer.Serialize(user, ChatJsonContext.Default.User), ChatJsonContext.Default.User)!;
        Assert.Equal(user with { Meta = null }, again with { Meta = null });
        Assert.Equal(user.Meta, again.Meta);

        var message = JsonSerializer.Deserialize(MessageJson, ChatJsonContext.Default.Message)!;
        var json = JsonSerializer.Serialize(message, ChatJsonContext.Default.Message);
        Assert.Contains("\"message_id\":9007199254740991", json);
        Assert.Contains("\"origin_content\":\"bad\"", json);
        var back = JsonSerializer.Deserialize(json, ChatJsonContext.Default.Message)!;
        Assert.Equal(message.File, back.File);
        Assert.Equal(message.MessageId, back.MessageId);
    }

    [Fact]
    public void Message_reads_file_filter_and_a_2_pow_53_id()
    {
        var m = JsonSerializer.Deserialize(MessageJson, ChatJsonContext.Default.Message)!;
        Assert.Equal(9007199254740991, m.MessageId);
        Assert.Equal("file", m.Type);
        Assert.Equal("u1", m.User.UserId);
        Assert.Equal(new MessageFile { Type = "image/png", Name = "a.png", Url = "https://h/files/1?sig=x", Size = 123 }, m.File);
        Assert.Equal("bad", m.Filter!.OriginContent);
        Assert.Equal(["profanity"], m.Filter.Type!);
        Assert.Equal("v", m.Meta!["k"]);
    }

    [Fact]
    public void Group_channel_page_reads_members_receipts_and_last_message()
    {
        var json = $$"""
            {"channels":[{"channel_id":"c1","type":"group","name":"Room","freeze":true,"total_message_count":5,"total_file_count":1,
              "created_at":1,"updated_at":2,"members":[{{UserJson}}],"managers":[{{UserJson}}],
              "unread":{"u1":3},"read_receipt":{"u1":10},"delivery_receipt":{"u1":11},"last_message":{{MessageJson}}}],
             "next":"cursor-2"}
            """;
        var page = JsonSerializer.Deserialize(json, ChatJsonContext.Default.GroupChannelPage)!;
        Assert.Equal("cursor-2", page.Next);
        var c = Assert.Single(page.Channels);
        Assert.True(c.Freeze);
        Assert.Equal(5, c.TotalMessageCount);
        Assert.Equal(1, c.TotalFileCount);
        Assert.Equal("u1", Assert.Single(c.Members!).UserId);
        Assert.Equal(3, c.Unread!["u1"]);
        Assert.Equal(10, c.ReadReceipt!["u1"]);
        Assert.Equal(11, c.DeliveryReceipt!["u1"]);
        Assert.Equal(9007199254740991, c.LastMessage!.MessageId);
    }

    [Fact]
    public void Ban_and_report_read_their_nested_objects()
    {
        var ban = JsonSerializer.Deserialize("""{"user":{"user_id":"u2","name":"B","created_at":1,"updated_at":2},"start_at":10,"end_at":20,"reason":"spam"}""", ChatJsonContext.Default.Ban)!;
        Assert.Equal(("u2", 10L, 20L, "spam"), (ban.User.UserId, ban.StartAt, ban.EndAt, ban.Reason));

        var report = JsonSerializer.Deserialize($$"""
            {"report_id":"r1","report_type":"message","report_category":"spam","reporting_user":{{UserJson}},"reason":"ads",
             "channel":{"channel_id":"c1","type":"group","name":"Room","freeze":false,"total_message_count":0,"total_file_count":0,"created_at":1,"updated_at":1},
             "message":{{MessageJson}},"created_at":5,"updated_at":6}
            """, ChatJsonContext.Default.Report)!;
        Assert.Equal("r1", report.ReportId);
        Assert.Equal("message", report.ReportType);
        Assert.Equal("spam", report.ReportCategory);
        Assert.Equal("u1", report.ReportingUser.UserId);
        Assert.Equal("c1", report.Channel!.ChannelId);
        Assert.Equal(9007199254740991, report.Message!.MessageId);
        Assert.Null(report.User);
    }

    [Fact]
    public void Request_bodies_use_the_wire_names()
    {
        Assert.Equal("""{"clientId":"a::b"}""", JsonSerializer.Serialize(new ClientIdBody("a::b"), ChatJsonContext.Default.ClientIdBody));
        Assert.Equal("""{"user_id":"u2","seconds":60}""", JsonSerializer.Serialize(new BanBody("u2", 60, null), ChatJsonContext.Default.BanBody));
        Assert.Equal("""{"channel_id":"c1","name":"Room","members":["u2"],"reuse":true,"meta":{"Key":"v"}}""",
            JsonSerializer.Serialize(new CreateChannelBody("c1", "Room", null, ["u2"], true, new Dictionary<string, string> { ["Key"] = "v" }), ChatJsonContext.Default.CreateChannelBody));
        Assert.Equal("""{"type":"text","content":"hi"}""", JsonSerializer.Serialize(new TextMessageBody("text", "hi", null), ChatJsonContext.Default.TextMessageBody));
        Assert.Equal("""{"keys":["a","b"]}""", JsonSerializer.Serialize(new KeysBody(["a", "b"]), ChatJsonContext.Default.KeysBody));
        Assert.Equal("""{"manager":"u2"}""", JsonSerializer.Serialize(new ManagerBody("u2"), ChatJsonContext.Default.ManagerBody));
        Assert.Equal("""{"freeze":false}""", JsonSerializer.Serialize(new FreezeBody(false), ChatJsonContext.Default.FreezeBody));
        Assert.Equal("""{"channels":["c1","c2"]}""", JsonSerializer.Serialize(new ChannelsBody(["c1", "c2"]), ChatJsonContext.Default.ChannelsBody));
        Assert.Equal("""{"report_type":"user","report_category":"spam","user_id":"u2"}""",
            JsonSerializer.Serialize(new ReportBody("user", "spam", null, "u2", null, null, null), ChatJsonContext.Default.ReportBody));
        Assert.Equal("{}", JsonSerializer.Serialize(new EmptyBody(), ChatJsonContext.Default.EmptyBody));
    }

    [Fact]
    public void Event_payload_keeps_data_for_later()
    {
        var p = JsonSerializer.Deserialize("""{"category":"group:channel_ban","channel":{"channel_id":"c1","name":"R"},"user":{"user_id":"u2","name":"B"},"data":{"user":{"user_id":"u2","name":"B"},"start_at":1,"end_at":2}}""",
            ChatJsonContext.Default.EventPayload)!;
        Assert.Equal("group:channel_ban", p.Category);
        Assert.Equal("c1", p.Channel!.ChannelId);
        Assert.Equal(2, p.Data!.Value.Deserialize(ChatJsonContext.Default.Ban)!.EndAt);
    }
}
