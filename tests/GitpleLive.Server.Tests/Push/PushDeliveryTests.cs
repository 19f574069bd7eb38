using System.Text.Json.Nodes;
using GitpleLive.Server.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Server.Tests.Push;

/// <summary>
/// PROTOCOL §10 push, end to end: a real server sends to local fakes of FCM (token and send endpoints), APNs (HTTP/2 over
/// TLS) and a webhook receiver. Who is pushed, with what payload, preferences, dead tokens and provider outages.
/// </summary>
public class PushDeliveryTests
{
    [Fact]
    public async Task Only_the_offline_members_are_pushed_with_the_protocol_payload_on_fcm_and_apns()
    {
        await using var world = await PushWorld.StartAsync();
        await world.ConfigureAsync(new { fcm = world.FcmBlock, apns = world.ApnsBlock });
        var sender = await world.UserAsync("snd", "android", "Sender Name");
        var online = await world.UserAsync("onl", "android");
        var android = await world.UserAsync("and", "android");
        var ios = await world.UserAsync("ios", "ios");
        var channel = await world.ChannelAsync("Team room", sender, online, android, ios);
        await world.GoOnlineAsync(online);

        var sent = await PushWorld.SendAsync(sender, channel, "hello there");
        var messageId = sent["message_id"]!.GetValue<long>();

        var fcm = Assert.Single(await world.Fcm.WaitForAsync(1, r => r.Path.EndsWith(":send", StringComparison.Ordinal)));
        var apns = Assert.Single(await world.Apns.WaitForAsync(1));
        await world.DrainedAsync();

        // FCM: the HTTP v1 data message { title, body, data } to the offline Android member, with the token endpoint's token.
        Assert.Equal("/v1/projects/test-project/messages:send", fcm.Path);
        Assert.Equal("Bearer fcm-access-token", fcm.Headers["authorization"]);
        var message = fcm.Json["message"]!;
        Assert.Equal(PushWorld.TokenOf(android.UserId), message["token"]!.GetValue<string>());
        Assert.Equal("Team room", message["data"]!["title"]!.GetValue<string>());
        Assert.Equal("hello there", message["data"]!["body"]!.GetValue<string>());
        var data = JsonNode.Parse(message["data"]!["data"]!.GetValue<string>())!;
        Assert.Equal("group:message_send", data["category"]!.GetValue<string>());
        Assert.Equal(world.Server.AppId, data["app_id"]!.GetValue<string>());
        Assert.Equal(channel, data["channel"]!["channel_id"]!.GetValue<string>());
        Assert.Equal(messageId, data["message"]!["message_id"]!.GetValue<long>());
        Assert.Single(world.Fcm.All, r => r.Path == "/token");

        // APNs: HTTP/2, token auth with an ES256 JWT of our .p8 key, the §10 body to the offline iOS member.
        Assert.Equal($"/3/device/{PushWorld.TokenOf(ios.UserId)}", apns.Path);
        Assert.Equal("HTTP/2", apns.Protocol);
        Assert.Equal(PushWorld.BundleId, apns.Headers["apns-topic"]);
        Assert.Equal("alert", apns.Headers["apns-push-type"]);
        var auth = apns.Headers["authorization"];
        Assert.StartsWith("bearer ", auth);
        Assert.True(FakeKeys.IsApnsJwt(auth["bearer ".Length..], PushWorld.KeyId, PushWorld.TeamId), auth);
        var aps = apns.Json["aps"]!;
        Assert.Equal("Team room", aps["alert"]!["title"]!.GetValue<string>());
        Assert.Equal("hello there", aps["alert"]!["body"]!.GetValue<string>());
        Assert.Equal(channel, aps["thread-id"]!.GetValue<string>());
        Assert.Equal(1, aps["mutable-content"]!.GetValue<int>());
        Assert.Equal(messageId, apns.Json["gitplelive"]!["message"]!["message_id"]!.GetValue<long>());

        // Exactly those two: not the sender, not the online member.
        Assert.Single(world.Fcm.All, r => r.Path.EndsWith(":send", StringComparison.Ordinal));
        Assert.Single(world.Apns.All);
        Assert.Empty(world.Webhook.All);
    }

    [Fact]
    public async Task Webhook_provider_posts_signed_pushes_and_a_two_person_channel_is_titled_with_the_senders_name()
    {
        await using var world = await PushWorld.StartAsync();
        await world.ConfigureAsync(new { webhook = world.WebhookBlock });
        var sender = await world.UserAsync("snd", "android", "Ada Lovelace");
        var other = await world.UserAsync("oth", "ios");
        var channel = await world.ChannelAsync("Direct", sender, other);

        await PushWorld.SendAsync(sender, channel, "just us");

        var push = Assert.Single(await world.Webhook.WaitForAsync(1));
        Assert.True(FakeKeys.IsSigned(push, PushWorld.WebhookSecret), "the push must carry a valid X-GitpleLive-Signature");
        Assert.False(FakeKeys.IsSigned(push, "another-secret-0123456789"));
        var body = push.Json;
        Assert.Equal(world.Server.AppId, body["app_id"]!.GetValue<string>());
        Assert.Equal(other.UserId, body["user_id"]!.GetValue<string>());
        Assert.Equal("ios", body["platform"]!.GetValue<string>());
        Assert.Equal(PushWorld.TokenOf(other.UserId), body["token"]!.GetValue<string>());
        Assert.Equal("Ada Lovelace", body["title"]!.GetValue<string>());
        Assert.Equal("just us", body["body"]!.GetValue<string>());
        Assert.Equal("just us", JsonNode.Parse(body["data"]!.GetValue<string>())!["message"]!["content"]!.GetValue<string>());
        await world.DrainedAsync();
        Assert.Single(world.Webhook.All);
    }

    [Fact]
    public async Task Preferences_all_mentions_and_off_decide_who_is_pushed()
    {
        await using var world = await PushWorld.StartAsync();
        await world.ConfigureAsync(new { webhook = world.WebhookBlock });
        var sender = await world.UserAsync("snd", "android");
        var all = await world.UserAsync("all", "android");
        var mentions = await world.UserAsync("men", "android");
        var off = await world.UserAsync("off", "android");
        var channel = await world.ChannelAsync("Prefs", sender, all, mentions, off);

        await mentions.Http.PutJsonAsync($"/v1/sdk/group/channels/{channel}/push", new { push = "mentions" });
        // The Platform twin sets any member's preference.
        await world.Server.Platform.PutJsonAsync($"/v1/group/channels/{channel}/push", new { push = "off", user_id = off.UserId });
        Assert.Equal("mentions", (await mentions.Http.GetJsonAsync($"/v1/sdk/group/channels/{channel}/push"))!["push"]!.GetValue<string>());
        Assert.Equal("off", (await world.Server.Platform.GetJsonAsync($"/v1/group/channels/{channel}/push?user_id={off.UserId}"))!["push"]!
            .GetValue<string>());
        Assert.Equal("all", (await all.Http.GetJsonAsync($"/v1/sdk/group/channels/{channel}/push"))!["push"]!.GetValue<string>());

        await PushWorld.SendAsync(sender, channel, "no mention");
        await world.DrainedAsync();
        var pushed = Assert.Single(world.Webhook.All);
        Assert.Equal(all.UserId, pushed.Json["user_id"]!.GetValue<string>());

        // Back to all: pushed again.
        await off.Http.PutJsonAsync($"/v1/sdk/group/channels/{channel}/push", new { push = "all" });
        await PushWorld.SendAsync(sender, channel, "second");
        await world.DrainedAsync();
        Assert.Equal([all.UserId, off.UserId], world.Webhook.All.Skip(1).Select(r => r.Json["user_id"]!.GetValue<string>()).Order());
    }

    [Fact]
    public async Task Mentions_reach_members_on_mentions_and_replies_reach_the_threads_participants()
    {
        await using var world = await PushWorld.StartAsync();
        await world.ConfigureAsync(new { webhook = world.WebhookBlock });
        var sender = await world.UserAsync("snd", "android");
        var all = await world.UserAsync("all", "android");
        var mentions = await world.UserAsync("men", "android");
        var off = await world.UserAsync("off", "android");
        var author = await world.UserAsync("aut", "android");
        var channel = await world.ChannelAsync("Mentions", sender, all, mentions, off, author);
        foreach (var (user, push) in new[] { (mentions, "mentions"), (off, "off"), (author, "mentions") })
            await user.Http.PutJsonAsync($"/v1/sdk/group/channels/{channel}/push", new { push });

        // Mentioned: pushed on "mentions", not on "off" (mentions are pushed unless off).
        await PushWorld.SendAsync(sender, channel, "hey you two", new { mentioned_user_ids = new[] { mentions.UserId, off.UserId } });
        await world.DrainedAsync();
        Assert.Equal(new[] { all.UserId, mentions.UserId }.Order(), world.Webhook.All.Select(r => r.Json["user_id"]!.GetValue<string>()).Order());

        // A thread: the author's message is the parent; a reply pushes the author (a participant) though on "mentions".
        var parent = await PushWorld.SendAsync(author, channel, "a question");
        await world.DrainedAsync();
        var before = world.Webhook.All.Count;
        await PushWorld.SendAsync(sender, channel, "an answer", new { parent_message_id = parent["message_id"]!.GetValue<long>() });
        await world.DrainedAsync();
        var reply = world.Webhook.All.Skip(before).Select(r => r.Json["user_id"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(new[] { all.UserId, author.UserId }.Order(), reply);
    }

    [Fact]
    public async Task Push_preference_refusals_name_what_was_wrong()
    {
        await using var world = await PushWorld.StartAsync();
        var member = await world.UserAsync("mem", "android");
        var stranger = await world.UserAsync("str", "android");
        var channel = await world.ChannelAsync("Room", member);
        var path = $"/v1/sdk/group/channels/{channel}/push";
        await member.Http.ExpectInvalidAsync(HttpMethod.Put, path, new { push = "sometimes" }, "push");
        await member.Http.ExpectInvalidAsync(HttpMethod.Put, path, new { }, "push");
        await stranger.Http.ExpectErrorAsync(HttpMethod.Put, path, new { push = "off" }, 403, 1008);
        await stranger.Http.ExpectErrorAsync(HttpMethod.Get, path, null, 403, 1008);
        await stranger.Http.ExpectErrorAsync(HttpMethod.Put, path, new { push = "off", user_id = member.UserId }, 403, 3001);
        await member.Http.ExpectErrorAsync(HttpMethod.Put, "/v1/sdk/group/channels/nope/push", new { push = "off" }, 404, 1003);
        await world.Server.Platform.ExpectInvalidAsync(HttpMethod.Put, $"/v1/group/channels/{channel}/push", new { push = "off" }, "user_id");
    }

    [Fact]
    public async Task Tokens_the_providers_call_invalid_are_removed_and_the_others_kept()
    {
        await using var world = await PushWorld.StartAsync();
        await world.ConfigureAsync(new { fcm = world.FcmBlock, apns = world.ApnsBlock });
        var sender = await world.UserAsync("snd", "android");
        var fcmDead = await world.UserAsync("fdd", "android");
        var apnsGone = await world.UserAsync("agn", "ios");
        var apnsBad = await world.UserAsync("abd", "ios");
        var alive = await world.UserAsync("alv", "android");
        var channel = await world.ChannelAsync("Room", sender, fcmDead, apnsGone, apnsBad, alive);
        world.Fcm.Answer = r => r.Path == "/token"
            ? (200, """{"access_token":"fcm-access-token","expires_in":3600,"token_type":"Bearer"}""")
            : PushWorld.FcmSendTo(r, PushWorld.TokenOf(fcmDead.UserId))
                ? (404, """{"error":{"code":404,"status":"NOT_FOUND","details":[{"errorCode":"UNREGISTERED"}]}}""")
                : null;
        world.Apns.Answer = r => PushWorld.ApnsSendTo(r, PushWorld.TokenOf(apnsGone.UserId)) ? (410, """{"reason":"Unregistered"}""")
            : PushWorld.ApnsSendTo(r, PushWorld.TokenOf(apnsBad.UserId)) ? (400, """{"reason":"BadDeviceToken"}""")
            : null;

        await PushWorld.SendAsync(sender, channel, "ping");
        await world.DrainedAsync();

        var tokens = world.Server.Services.GetRequiredService<DeviceTokenService>();
        Assert.Empty(await tokens.ForUserAsync(world.Server.AppId, fcmDead.UserId));
        Assert.Empty(await tokens.ForUserAsync(world.Server.AppId, apnsGone.UserId));
        Assert.Empty(await tokens.ForUserAsync(world.Server.AppId, apnsBad.UserId));
        Assert.Single(await tokens.ForUserAsync(world.Server.AppId, alive.UserId));
        Assert.Single(await tokens.ForUserAsync(world.Server.AppId, sender.UserId));
        Assert.Single(world.Fcm.Accepted, r => PushWorld.FcmSendTo(r, PushWorld.TokenOf(alive.UserId)));
        // No retries of a dead token.
        Assert.Single(world.Fcm.All, r => PushWorld.FcmSendTo(r, PushWorld.TokenOf(fcmDead.UserId)));
        Assert.Equal(2, world.Apns.All.Count);
    }

    [Fact]
    public async Task A_provider_outage_is_retried_until_the_push_goes_through_once()
    {
        await using var world = await PushWorld.StartAsync();
        await world.ConfigureAsync(new { webhook = world.WebhookBlock });
        var sender = await world.UserAsync("snd", "android");
        var a = await world.UserAsync("aaa", "android");
        var b = await world.UserAsync("bbb", "ios");
        var channel = await world.ChannelAsync("Room", sender, a, b);
        world.Webhook.FailNext(3);

        // The send does not wait for the provider.
        await PushWorld.SendAsync(sender, channel, "eventually");
        var delivered = await world.Webhook.WaitForAsync(2);
        await world.DrainedAsync();

        Assert.Equal([a.UserId, b.UserId], delivered.Select(r => r.Json["user_id"]!.GetValue<string>()).Order());
        Assert.Equal(5, world.Webhook.All.Count); // 3 refused (503) + 2 accepted: only what failed was sent again
        Assert.Equal(2, world.Webhook.Accepted.Count);
    }

    [Fact]
    public async Task Apps_without_a_push_provider_write_no_outbox_rows()
    {
        await using var world = await PushWorld.StartAsync();
        var sender = await world.UserAsync("snd", "android");
        var other = await world.UserAsync("oth", "android");
        var channel = await world.ChannelAsync("Room", sender, other);
        await PushWorld.SendAsync(sender, channel, "quiet");
        var store = world.Server.Services.GetRequiredService<GitpleLive.Server.Storage.ChatStore>();
        Assert.Equal(0, await store.ReadAsync(db => db.PushOutbox.CountAsync()));

        // Once a provider is configured, a send queues one row (the dispatcher may take it at once: count what was pushed).
        await world.ConfigureAsync(new { webhook = world.WebhookBlock });
        await PushWorld.SendAsync(sender, channel, "loud");
        Assert.Single(await world.Webhook.WaitForAsync(1));
        // Removed again: nothing more is queued.
        await world.ConfigureAsync(new { webhook = (object?)null });
        await PushWorld.SendAsync(sender, channel, "quiet again");
        Assert.Equal(0, await store.ReadAsync(db => db.PushOutbox.CountAsync()));
        Assert.Single(world.Webhook.All);
    }
}
