using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Console.Tests;

/// <summary>The console's sessions and its way into the Platform API, over plain HTTP against the real server.</summary>
public sealed class ConsoleHttpTests(ConsoleServer console) : IClassFixture<ConsoleServer>
{
    private ConsoleServer Console => console;

    private static HttpRequestMessage Request(HttpMethod method, string path, string? appId, string? csrf, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (appId is not null) request.Headers.Add("APP_ID", appId);
        if (csrf is not null) request.Headers.Add("X-CSRF-Token", csrf);
        if (body is not null) request.Content = JsonContent.Create(body);
        return request;
    }

    [Fact]
    public async Task Platform_calls_without_a_session_or_without_the_right_CSRF_token_are_refused()
    {
        var appId = Console.Server.AppId;
        using var anonymous = Console.NewClient();
        var none = await anonymous.SendAsync(Request(HttpMethod.Get, "/v1/users", appId, null));
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);

        // A cookie that names no session is no way in either.
        var jar = new CookieContainer();
        jar.Add(new Uri(Console.Server.BaseUrl), new Cookie("gitplelive_console", "made-up"));
        using var forged = Console.NewClient(jar);
        var forgedAnswer = await forged.SendAsync(Request(HttpMethod.Get, "/v1/users", appId, null));
        Assert.Equal(HttpStatusCode.Unauthorized, forgedAnswer.StatusCode);
        Assert.Equal(4001, (await forgedAnswer.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<int>());

        var (client, csrf, _) = await Console.SignInAsync(appId, Console.Server.ApiKey);
        using (client)
        {
            // Reads need the session only.
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request(HttpMethod.Get, "/v1/users", appId, null))).StatusCode);

            var user = new { user_id = "csrf-user", name = "Csrf" };
            var missing = await client.SendAsync(Request(HttpMethod.Post, "/v1/users", appId, null, user));
            Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
            Assert.Contains("X-CSRF-Token", await missing.Content.ReadAsStringAsync());
            var wrong = await client.SendAsync(Request(HttpMethod.Post, "/v1/users", appId, csrf + "x", user));
            Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
            // Nothing was written by the refused calls.
            Assert.Equal(HttpStatusCode.NotFound, (await Console.Server.Platform.GetAsync("/v1/users/csrf-user")).StatusCode);

            var right = await client.SendAsync(Request(HttpMethod.Post, "/v1/users", appId, csrf, user));
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await Console.Server.Platform.GetAsync("/v1/users/csrf-user")).StatusCode);

            // Sign-out needs the token too, and ends the session on the server: the same cookie is refused afterwards.
            Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(Request(HttpMethod.Delete, "/console/api/session", null, null))).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request(HttpMethod.Delete, "/console/api/session", null, csrf))).StatusCode);
        }
    }

    [Fact]
    public async Task Signing_out_ends_the_session_on_the_server_even_for_a_kept_copy_of_the_cookie()
    {
        var (client, csrf, answer) = await Console.SignInAsync(Console.Server.AppId, Console.Server.ApiKey);
        var setCookie = answer.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("gitplelive_console=", StringComparison.Ordinal));
        var value = setCookie.Split(';')[0]["gitplelive_console=".Length..];
        using (client)
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Request(HttpMethod.Delete, "/console/api/session", null, csrf))).StatusCode);

        var jar = new CookieContainer();
        jar.Add(new Uri(Console.Server.BaseUrl), new Cookie("gitplelive_console", value));
        using var copy = Console.NewClient(jar);
        Assert.Equal(HttpStatusCode.Unauthorized, (await copy.GetAsync("/console/api/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await copy.SendAsync(Request(HttpMethod.Get, "/v1/users", Console.Server.AppId, null))).StatusCode);
    }

    [Fact]
    public async Task The_session_cookie_is_HttpOnly_SameSite_Strict_and_Secure_only_over_HTTPS()
    {
        var (plain, _, answer) = await Console.SignInAsync(Console.Server.AppId, Console.Server.ApiKey);
        plain.Dispose();
        var cookie = answer.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("gitplelive_console=", StringComparison.Ordinal))
            .ToLowerInvariant();
        Assert.Contains("httponly", cookie);
        Assert.Contains("samesite=strict", cookie);
        Assert.Contains("path=/", cookie);
        Assert.DoesNotContain("secure", cookie);

        // Behind a TLS proxy (loopback is a trusted proxy): X-Forwarded-Proto https makes the cookie Secure.
        using var proxied = Console.NewClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/console/api/session")
        {
            Content = ConsoleServer.Form(Console.Server.AppId, Console.Server.ApiKey),
        };
        request.Headers.Add("X-Forwarded-Proto", "https");
        var secure = await proxied.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.Contains("secure", secure.Headers.GetValues("Set-Cookie").Single().ToLowerInvariant());
    }

    [Fact]
    public async Task The_admin_key_sees_every_app_while_an_app_key_session_sees_only_its_own()
    {
        var (admin, adminCsrf, _) = await Console.SignInAsync();
        using (admin)
        {
            var apps = (await ConsoleServer.ReadAsync(await admin.GetAsync("/console/api/apps")))["apps"]!.AsArray()
                .Select(a => a!["app_id"]!.GetValue<string>()).ToList();
            Assert.Contains(Console.Server.AppId, apps);
            Assert.Contains(Console.OtherAppId, apps);
            // The admin acts on the second app through the Platform API, with its rules.
            var created = await admin.SendAsync(Request(HttpMethod.Post, "/v1/users", Console.OtherAppId, adminCsrf,
                new { user_id = "admin-made", name = "Made by admin" }));
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
            Assert.Equal("admin", (await ConsoleServer.ReadAsync(await admin.GetAsync("/console/api/session")))["kind"]!.GetValue<string>());
        }

        var (app, csrf, _) = await Console.SignInAsync(Console.Server.AppId, Console.Server.ApiKey);
        using (app)
        {
            var apps = (await ConsoleServer.ReadAsync(await app.GetAsync("/console/api/apps")))["apps"]!.AsArray();
            Assert.Equal(Console.Server.AppId, Assert.Single(apps)!["app_id"]!.GetValue<string>());
            // Naming the other app does not reach it.
            var other = await app.SendAsync(Request(HttpMethod.Get, "/v1/users/admin-made", Console.OtherAppId, null));
            Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
            Assert.Equal(4003, (await other.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<int>());
            var write = await app.SendAsync(Request(HttpMethod.Delete, "/v1/users/admin-made", Console.OtherAppId, csrf));
            Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
        }
        using var backend = Console.NewClient();
        var check = new HttpRequestMessage(HttpMethod.Get, "/v1/users/admin-made");
        check.Headers.Add("APP_ID", Console.OtherAppId);
        check.Headers.Add("APP_API_KEY", await CurrentOtherKeyAsync());
        Assert.Equal(HttpStatusCode.OK, (await backend.SendAsync(check)).StatusCode);
    }

    [Fact]
    public async Task Wrong_credentials_answer_a_clear_message()
    {
        using var client = Console.NewClient();
        var wrongKey = await client.PostAsync("/console/api/session", ConsoleServer.Form(Console.OtherAppId, "not-the-key"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        var body = (await wrongKey.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(4003, body["code"]!.GetValue<int>());
        Assert.Equal("wrong APP_ID or APP_API_KEY", body["message"]!.GetValue<string>());
        Assert.False(wrongKey.Headers.Contains("Set-Cookie"));

        var wrongAdmin = await client.PostAsync("/console/api/session", ConsoleServer.Form(null, "not-the-admin-key-at-all"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAdmin.StatusCode);
        Assert.Contains("wrong admin key", await wrongAdmin.Content.ReadAsStringAsync());

        var missing = await client.PostAsync("/console/api/session",
            new FormUrlEncodedContent([new KeyValuePair<string, string>("app_id", Console.OtherAppId)]));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Contains("api_key is required", await missing.Content.ReadAsStringAsync());

        // A form posted from another site is refused before any key is looked at.
        var crossSite = new HttpRequestMessage(HttpMethod.Post, "/console/api/session")
        {
            Content = ConsoleServer.Form(Console.Server.AppId, Console.Server.ApiKey),
        };
        crossSite.Headers.Add("Origin", "https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(crossSite)).StatusCode);
    }

    [Fact]
    public async Task Rotating_the_app_key_ends_the_sessions_signed_in_with_it()
    {
        var apps = (GitpleLive.Server.Services.AppService)Console.Server.Services.GetService(typeof(GitpleLive.Server.Services.AppService))!;
        var app = await apps.CreateAsync(null, "rotated app", null, false);
        var (client, csrf, _) = await Console.SignInAsync(app.AppId, app.ApiKey);
        var (admin, _, _) = await Console.SignInAsync();
        using (admin)
        using (client)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/console/api/session")).StatusCode);
            var rotated = await ConsoleServer.ReadAsync(await client.SendAsync(Request(HttpMethod.Post, "/v1/app/api_key", app.AppId, csrf)));
            Assert.NotEqual(app.ApiKey, rotated["api_key"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/console/api/session")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized,
                (await client.SendAsync(Request(HttpMethod.Get, "/v1/users", app.AppId, null))).StatusCode);
            // The admin's session does not hang on an app's key.
            Assert.Equal(HttpStatusCode.OK, (await admin.SendAsync(Request(HttpMethod.Get, "/v1/users", app.AppId, null))).StatusCode);
        }
    }

    [Fact]
    public async Task The_console_page_is_served_from_the_server_with_a_strict_content_security_policy_and_cache_headers()
    {
        using var client = Console.NewClient();
        var page = await client.GetAsync("/console");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Equal("no-cache", page.Headers.CacheControl!.ToString());
        var html = await page.Content.ReadAsStringAsync();
        var script = System.Text.RegularExpressions.Regex.Match(html, "/console/assets/console.js\\?v=[0-9a-f]+").Value;
        Assert.NotEmpty(script);
        var js = await client.GetAsync(script);
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        Assert.StartsWith("text/javascript", js.Content.Headers.ContentType!.ToString());
        Assert.Contains("immutable", js.Headers.CacheControl!.ToString());

        var again = new HttpRequestMessage(HttpMethod.Get, "/console");
        again.Headers.TryAddWithoutValidation("If-None-Match", page.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/console/assets/nope.js")).StatusCode);
    }

    [Fact]
    public async Task A_report_action_goes_through_the_platform_rules_and_is_recorded_with_who_did_it()
    {
        var (sender, reporter) = await Console.ChannelWithTwoUsersAsync("http-mod", "Moderated");
        var messageId = await ConsoleServer.SendAsync(sender, "http-mod", "buy cheap stuff");
        var reportId = await ConsoleServer.ReportMessageAsync(reporter, "http-mod", messageId, "spam");
        var (client, csrf, _) = await Console.SignInAsync();
        using (client)
        {
            var appId = Console.Server.AppId;
            var ban = await ConsoleServer.ReadAsync(await client.SendAsync(Request(HttpMethod.Post, $"/console/api/reports/{reportId}/actions",
                appId, csrf, new { action = "ban_user", seconds = 3600 })));
            Assert.Equal("admin", ban["actor"]!.GetValue<string>());
            var banned = await ConsoleServer.ReadAsync(await Console.Server.Platform.GetAsync("/v1/group/channels/http-mod/banned_list"));
            Assert.Contains(sender.UserId, banned.ToJsonString());

            var bad = await client.SendAsync(Request(HttpMethod.Post, $"/console/api/reports/{reportId}/actions", appId, csrf,
                new { action = "explode" }));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("action must be one of", await bad.Content.ReadAsStringAsync());
            var noCsrf = await client.SendAsync(Request(HttpMethod.Post, $"/console/api/reports/{reportId}/actions", appId, null,
                new { action = "dismiss" }));
            Assert.Equal(HttpStatusCode.Forbidden, noCsrf.StatusCode);
            // Another app's session cannot see or act on this app's reports.
            var other = await client.SendAsync(Request(HttpMethod.Get, "/console/api/reports", Console.OtherAppId, null));
            Assert.DoesNotContain(reportId, await other.Content.ReadAsStringAsync());

            var queue = await ConsoleServer.ReadAsync(await client.SendAsync(Request(HttpMethod.Get, "/console/api/reports?report_type=message",
                appId, null)));
            var entry = queue["reports"]!.AsArray().Single(r => r!["report"]!["report_id"]!.GetValue<string>() == reportId)!;
            var action = Assert.Single(entry["actions"]!.AsArray())!;
            Assert.Equal("ban_user", action["action"]!.GetValue<string>());
            Assert.Equal(3600, action["seconds"]!.GetValue<long>());
            Assert.True(action["created_at"]!.GetValue<long>() > 0);
        }

        // The app's backend may act too (APP_API_KEY): recorded as the API.
        var byApi = await ConsoleServer.ReadAsync(await Console.Server.Platform.PostAsJsonAsync($"/console/api/reports/{reportId}/actions",
            new { action = "dismiss" }));
        Assert.Equal("api", byApi["actor"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_platform_user_list_searches_by_id_or_name()
    {
        await Console.Server.CreateUserAsync("search-ann", "Annabel Lee");
        await Console.Server.CreateUserAsync("search-bo", "Bo Diddley");
        var byName = await ConsoleServer.ReadAsync(await Console.Server.Platform.GetAsync("/v1/users?query=ANNABEL"));
        Assert.Equal("search-ann", Assert.Single(byName["users"]!.AsArray())!["user_id"]!.GetValue<string>());
        var byId = await ConsoleServer.ReadAsync(await Console.Server.Platform.GetAsync("/v1/users?query=search-&limit=1"));
        Assert.Single(byId["users"]!.AsArray());
        Assert.NotNull(byId["next"]);
        var second = await ConsoleServer.ReadAsync(await Console.Server.Platform.GetAsync(
            $"/v1/users?query=search-&limit=1&next={Uri.EscapeDataString(byId["next"]!.GetValue<string>())}"));
        Assert.Equal("search-bo", Assert.Single(second["users"]!.AsArray())!["user_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_live_stream_carries_a_channel_s_new_messages_as_server_sent_events()
    {
        var (sender, _) = await Console.ChannelWithTwoUsersAsync("http-live", "Live");
        var (client, _, _) = await Console.SignInAsync(Console.Server.AppId, Console.Server.ApiKey);
        using (client)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var request = new HttpRequestMessage(HttpMethod.Get, $"/console/api/channels/http-live/stream?app_id={Console.Server.AppId}");
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
            Assert.StartsWith(":", await reader.ReadLineAsync(cts.Token));
            await ConsoleServer.SendAsync(sender, "http-live", "hello live view");
            string? line;
            while ((line = await reader.ReadLineAsync(cts.Token)) is not null && line != "event: group:message_send") { }
            var data = await reader.ReadLineAsync(cts.Token);
            Assert.StartsWith("data: ", data);
            Assert.Equal("hello live view", JsonNode.Parse(data!["data: ".Length..])!["message"]!["content"]!.GetValue<string>());
        }

        // A missing channel is refused in the protocol's terms, and the other app's session does not get a stream.
        var (other, _, _) = await Console.SignInAsync(Console.OtherAppId, await CurrentOtherKeyAsync());
        using (other)
        {
            var missing = await other.GetAsync($"/console/api/channels/nope/stream?app_id={Console.OtherAppId}");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            var foreign = await other.GetAsync($"/console/api/channels/http-live/stream?app_id={Console.Server.AppId}");
            Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode);
        }
    }

    /// <summary>The second app's current key (another test may have rotated it).</summary>
    private async Task<string> CurrentOtherKeyAsync()
    {
        var apps = Console.Server.Services.GetService(typeof(GitpleLive.Server.Services.AppService)) as GitpleLive.Server.Services.AppService;
        return (await apps!.FindAsync(Console.OtherAppId))!.ApiKey;
    }

    [Fact]
    public async Task A_console_session_sets_and_reads_push_and_webhook_settings_with_the_secrets_masked()
    {
        const string hookSecret = "console-webhook-secret-0123456789";
        const string pushSecret = "console-push-secret-0123456789";
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var serviceAccount = new JsonObject
        {
            ["type"] = "service_account", ["project_id"] = "console-project", ["client_email"] = "push@console-project.example",
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem(),
        }.ToJsonString();
        var p8 = ec.ExportPkcs8PrivateKeyPem();
        await using var receiver = await GitpleLive.TestHost.WebhookReceiver.StartAsync(hookSecret);
        var appId = Console.OtherAppId;
        var (client, csrf, _) = await Console.SignInAsync(appId, Console.OtherApiKey);
        using (client)
        {
            // Push: all three providers; the answer and a later GET show every secret masked.
            var put = await client.SendAsync(Request(HttpMethod.Put, "/v1/app/push", appId, csrf, new
            {
                fcm = new { service_account_json = serviceAccount },
                apns = new { team_id = "TEAM123", key_id = "KEY123", bundle_id = "com.example.chat", p8_pem = p8, production = false },
                webhook = new { url = receiver.Url, secret = pushSecret },
            }));
            var saved = await ConsoleServer.ReadAsync(put);
            var push = await ConsoleServer.ReadAsync(await client.SendAsync(Request(HttpMethod.Get, "/v1/app/push", appId, null)));
            foreach (var shown in new[] { saved, push })
            {
                Assert.Equal("console-project", shown["fcm"]!["project_id"]!.GetValue<string>());
                Assert.Equal("push@console-project.example", shown["fcm"]!["client_email"]!.GetValue<string>());
                Assert.Equal("********", shown["fcm"]!["service_account_json"]!.GetValue<string>());
                Assert.Equal("TEAM123", shown["apns"]!["team_id"]!.GetValue<string>());
                Assert.Equal("********", shown["apns"]!["p8_pem"]!.GetValue<string>());
                Assert.Equal("********", shown["webhook"]!["secret"]!.GetValue<string>());
                var text = shown.ToJsonString();
                Assert.DoesNotContain("PRIVATE KEY", text);
                Assert.DoesNotContain(pushSecret, text);
            }

            // What the Apps page sends on a second save: no secrets (kept), production switched, the FCM block removed.
            var again = await ConsoleServer.ReadAsync(await client.SendAsync(Request(HttpMethod.Put, "/v1/app/push", appId, csrf,
                new JsonObject
                {
                    ["fcm"] = null, ["apns"] = new JsonObject { ["team_id"] = "TEAM123", ["production"] = true },
                    ["webhook"] = new JsonObject { ["url"] = receiver.Url },
                })));
            Assert.Null(again["fcm"]);
            Assert.True(again["apns"]!["production"]!.GetValue<bool>());
            var stored = await Console.Server.Services.GetRequiredService<GitpleLive.Server.Push.PushSettingsService>()
                .GetAsync(appId);
            Assert.Null(stored.Fcm);
            Assert.Equal(p8, stored.Apns!.P8Pem);
            Assert.Equal(pushSecret, stored.Webhook!.Secret);

            // Webhooks: set, read back masked (the last four characters only), change without the secret: it is kept.
            var hook = await ConsoleServer.ReadAsync(await client.SendAsync(Request(HttpMethod.Put, "/v1/app/webhooks", appId, csrf,
                new { url = receiver.Url, secret = hookSecret, categories = new[] { "group:message_send" } })));
            Assert.Equal("****" + hookSecret[^4..], hook["secret"]!.GetValue<string>());
            await ConsoleServer.ReadAsync(await client.SendAsync(Request(HttpMethod.Put, "/v1/app/webhooks", appId, csrf,
                new { url = receiver.Url, categories = new[] { "*" } })));
            var shownHook = await ConsoleServer.ReadAsync(await client.SendAsync(Request(HttpMethod.Get, "/v1/app/webhooks", appId, null)));
            Assert.Equal(receiver.Url, shownHook["url"]!.GetValue<string>());
            Assert.Equal("*", Assert.Single(shownHook["categories"]!.AsArray())!.GetValue<string>());
            Assert.Equal("****" + hookSecret[^4..], shownHook["secret"]!.GetValue<string>());
            Assert.DoesNotContain(hookSecret, shownHook.ToJsonString());

            // The ping is signed with the first secret (the receiver refuses anything else) and shows in the delivery log.
            var refused = await client.SendAsync(Request(HttpMethod.Post, "/v1/app/webhooks/ping", appId, null));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            var ping = await ConsoleServer.ReadAsync(await client.SendAsync(Request(HttpMethod.Post, "/v1/app/webhooks/ping", appId, csrf)));
            var deliveryId = ping["delivery_id"]!.GetValue<string>();
            Assert.Equal(deliveryId, (await receiver.WaitForAsync("webhook:ping")).DeliveryId);
            var log = await ConsoleServer.ReadAsync(
                await client.SendAsync(Request(HttpMethod.Get, "/v1/app/webhooks/deliveries", appId, null)));
            Assert.Contains(log["deliveries"]!.AsArray(), d => d!["delivery_id"]!.GetValue<string>() == deliveryId);

            // The app the session is not for sees none of it.
            var mine = await ConsoleServer.ReadAsync(await Console.Server.Platform.GetAsync("/v1/app/webhooks"));
            Assert.Null(mine["url"]);
            var wrongApp = await client.SendAsync(Request(HttpMethod.Get, "/v1/app/push", Console.Server.AppId, null));
            Assert.Equal(HttpStatusCode.Unauthorized, wrongApp.StatusCode);

            // Turning webhooks off from the console.
            Assert.Equal(HttpStatusCode.OK,
                (await client.SendAsync(Request(HttpMethod.Delete, "/v1/app/webhooks", appId, csrf))).StatusCode);
            var off = await ConsoleServer.ReadAsync(await client.SendAsync(Request(HttpMethod.Get, "/v1/app/webhooks", appId, null)));
            Assert.Null(off["url"]);
            Assert.Null(off["secret"]);
        }
    }
}

/// <summary>A server whose sign-in allows three attempts a minute per client address and app.</summary>
public sealed class TightSignInServer : ConsoleServer
{
    public TightSignInServer() => Settings["GitpleLive:Console:SignInAttempts"] = "3";
}

public sealed class ConsoleSignInLimitTests(TightSignInServer console) : IClassFixture<TightSignInServer>
{
    [Fact]
    public async Task Repeated_failures_are_slowed_with_429_and_Retry_After_while_other_apps_are_not()
    {
        using var client = console.NewClient();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized,
                (await client.PostAsync("/console/api/session", ConsoleServer.Form(console.Server.AppId, "guess-" + i))).StatusCode);
        // Past the limit even the right key waits: guessing cannot go faster by mixing in a known key.
        var slowed = await client.PostAsync("/console/api/session", ConsoleServer.Form(console.Server.AppId, console.Server.ApiKey));
        Assert.Equal(HttpStatusCode.TooManyRequests, slowed.StatusCode);
        Assert.Equal(9001, (await slowed.Content.ReadFromJsonAsync<JsonObject>())!["code"]!.GetValue<int>());
        Assert.True(slowed.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Contains("too many sign-in attempts", await slowed.Content.ReadAsStringAsync());

        // The limit is per app: the other app's sign-in is not held up.
        var (other, _, _) = await console.SignInAsync(console.OtherAppId, console.OtherApiKey);
        other.Dispose();
    }
}
