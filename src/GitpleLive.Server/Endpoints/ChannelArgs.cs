namespace GitpleLive.Server.Endpoints;

/// <summary>Query and body parsing shared by the SDK and Platform channel routes.</summary>
public static class ChannelArgs
{
    /// <summary>A list page's size: <c>limit</c>, 20 by default, 1 to 100 (out of range is 400).</summary>
    public static int PageLimit(HttpRequest r) => r.Int("limit", 20, 1, 100);

    /// <summary>The opaque <c>next</c> token of the page before, if any.</summary>
    public static string? PageToken(HttpRequest r) => r.String("next", 600);

    public static ChannelQuery ListQuery(HttpRequest r) => new()
    {
        Limit = PageLimit(r),
        ShowMembers = r.Bool("show_members"),
        ShowManagers = r.Bool("show_managers"),
        ShowReadReceipt = r.Bool("show_read_receipt"),
        ShowDeliveryReceipt = r.Bool("show_delivery_receipt"),
        ShowUnread = r.Bool("show_unread"),
        ShowLastMessage = r.Bool("show_last_message"),
        Name = r.String("name", Storage.Limits.NameLength),
        IncludeMembers = r.String("include_members", 100 * 130) is { } s
            ? s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(id => Ids.Check("include_members", id)).Distinct().ToList()
            : null,
        Next = PageToken(r),
    };

    public static MessageQuery MessageQuery(HttpRequest r) => new()
    {
        Limit = r.IntAtMost("limit", 20, 1, 100),
        Next = r.OneOf("mode", "prev", "next") == "next",
        BaseMessageId = r.Long("base_message_id", 0, long.MaxValue, leadingSlash: true),
        Type = r.OneOf("type", "text", "file"),
        Content = r.String("content", Storage.Limits.ContentLength),
    };

    /// <summary>
    /// The ban's length; absent, null or 0 means permanent (<see cref="BanService.PermanentEndAt"/>): the iOS SDK omits
    /// <c>seconds</c> by default and Android may send 0.
    /// </summary>
    public static long? BanSeconds(JsonBody body) =>
        body.OptionalLong("seconds", 0, 10L * 365 * 24 * 3600) is { } s and > 0 ? s : null;

    public static string? Reason(JsonBody body) => body.OptionalString("reason", Storage.Limits.ReasonLength, allowEmpty: true);
}
