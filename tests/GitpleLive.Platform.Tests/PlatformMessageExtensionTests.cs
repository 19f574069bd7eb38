using GitpleLive.Chat;
using GitpleLive.Platform;

namespace GitpleLive.Platform.Tests;

/// <summary>The Platform client's message extensions: replies and mentions on send, edits, reactions and typing as a member.</summary>
public class PlatformMessageExtensionTests : ServerTest
{
    [Fact]
    public async Task Replies_mentions_edits_reactions_and_typing_work_through_the_client()
    {
        foreach (var id in new[] { "x1", "x2", "x3" }) await Client.CreateUserAsync(id, id.ToUpperInvariant());
        await Client.CreateChannelAsync(new ChannelCreateOptions { ChannelId = "ext", Name = "Ext", Members = ["x1", "x2"] });

        var parent = await Client.SendTextMessageAsync("ext", "x1", "top", new PlatformSendOptions { MentionedUserIds = ["x2"] });
        Assert.Equal(["x2"], parent.MentionedUserIds);
        var reply = await Client.SendTextMessageAsync("ext", "x2", "reply", new PlatformSendOptions { ParentMessageId = parent.MessageId });
        Assert.Equal(parent.MessageId, reply.ParentMessageId);
        var replies = await Client.GetRepliesAsync("ext", parent.MessageId);
        Assert.Equal(reply.MessageId, Assert.Single(replies).MessageId);
        Assert.Equal(1, (await Client.GetMessagesAsync("ext"))[0].ReplyCount);

        var edited = await Client.UpdateMessageAsync("ext", reply.MessageId, "edited by the backend");
        Assert.Equal("edited by the backend", edited.Content);
        Assert.NotNull(edited.EditedAt);

        var reacted = await Client.AddReactionAsync("ext", parent.MessageId, "x2", "🎉");
        var reaction = Assert.Single(reacted.Reactions!);
        Assert.Equal(("🎉", 1, "x2"), (reaction.Key, reaction.Count, Assert.Single(reaction.UserIds)));
        Assert.Null((await Client.RemoveReactionAsync("ext", parent.MessageId, "x2", "🎉")).Reactions);
        // The member's rights apply: x3 is not in the channel.
        Assert.Equal(1008, (await Assert.ThrowsAsync<GitpleLiveException>(() => Client.AddReactionAsync("ext", parent.MessageId, "x3", "🎉"))).Code);
        Assert.Equal(1008, (await Assert.ThrowsAsync<GitpleLiveException>(() =>
            Client.SendTextMessageAsync("ext", "x1", "hey", new PlatformSendOptions { MentionedUserIds = ["x3"] }))).Code);

        await Client.SetTypingAsync("ext", "x1", true);
        Assert.Contains(Server.Events.All, e => e.Category == "group:typing_start" && e.TargetId == "ext");
        Assert.Equal(1008, (await Assert.ThrowsAsync<GitpleLiveException>(() => Client.SetTypingAsync("ext", "x3", true))).Code);
    }
}
