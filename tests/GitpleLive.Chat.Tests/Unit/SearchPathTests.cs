namespace GitpleLive.Chat.Tests.Unit;

/// <summary>The search request the SDK builds: every part escaped, empty parts left out, bad input refused before any call.</summary>
public class SearchPathTests
{
    [Fact]
    public void The_query_string_carries_every_given_part_escaped()
    {
        Assert.Equal("search/messages?query=%22a%22%20NEAR%28b%29%20%26%20c&channel_id=c%201&limit=5&next=n%2F1",
            GroupChannelClient.SearchPath(new MessageSearchQuery { Text = "\"a\" NEAR(b) & c", ChannelId = "c 1", Limit = 5, Next = "n/1" }));
        Assert.Equal("search/messages?query=hi", GroupChannelClient.SearchPath(new MessageSearchQuery { Text = "hi", Next = "" }));
    }

    [Fact]
    public void Blank_text_and_channel_ids_are_client_errors()
    {
        Assert.Equal(GitpleLiveErrorCode.ClientInvalidParameters,
            Assert.Throws<GitpleLiveException>(() => GroupChannelClient.SearchPath(new MessageSearchQuery { Text = " " })).Code);
        Assert.Equal(GitpleLiveErrorCode.InvalidChannelId,
            Assert.Throws<GitpleLiveException>(() => GroupChannelClient.SearchPath(new MessageSearchQuery { Text = "a", ChannelId = "" })).Code);
    }
}
