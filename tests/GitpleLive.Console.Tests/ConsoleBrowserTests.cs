using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace GitpleLive.Console.Tests;

/// <summary>The console in headless Chromium against the real server: what an operator does, with keyboard and mouse.</summary>
public sealed class ConsoleBrowserTests(BrowserServer console) : IClassFixture<BrowserServer>
{
    private static readonly PageWaitForFunctionOptions Wait = new() { Timeout = 15_000 };

    private async Task SignInWithAppKeyAsync(IPage page)
    {
        await page.GotoAsync("/console");
        await page.GetByLabel("App ID").FillAsync(console.Server.AppId);
        await page.GetByLabel("API key").FillAsync(console.Server.ApiKey);
        await page.GetByLabel("API key").PressAsync("Enter");
        await page.Locator("#nav").WaitForAsync();
    }

    [Fact]
    public async Task An_operator_signs_in_finds_a_user_watches_a_channel_live_acts_on_a_report_and_signs_out()
    {
        var (alice, bob) = await console.ChannelWithTwoUsersAsync("lobby", "Lobby");
        var first = await ConsoleServer.SendAsync(alice, "lobby", "an older message");
        var reportId = await ConsoleServer.ReportMessageAsync(bob, "lobby", first, "this is spam");
        var page = await console.NewPageAsync();

        await SignInWithAppKeyAsync(page);
        Assert.Equal("Signed in with the app key", await page.Locator("#who").TextContentAsync());

        // Users: search by name, paged table.
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search users" }).FillAsync("alice lob");
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search users" }).PressAsync("Enter");
        await page.Locator("td code", new() { HasText = "lobby-bob" }).WaitForAsync(new() { State = WaitForSelectorState.Detached });
        Assert.Equal(1, await page.Locator("td code", new() { HasText = "lobby-alice" }).CountAsync());

        // Channels: search, open the live view; a message sent through the SDK API appears without a reload.
        await page.GetByRole(AriaRole.Link, new() { Name = "Channels" }).ClickAsync();
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search channels" }).FillAsync("Lob");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "lobby" }).ClickAsync();
        await page.Locator(".messages li", new() { HasText = "an older message" }).WaitForAsync();
        await page.Locator(".badge.live").WaitForAsync();
        await page.EvaluateAsync("() => { window.notReloaded = true; }");
        await ConsoleServer.SendAsync(alice, "lobby", "hello from the SDK");
        await page.Locator(".messages li", new() { HasText = "hello from the SDK" }).WaitForAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => window.notReloaded === true"));

        // Delete a message from the live view (confirm with Enter); every viewer sees it go.
        var doomed = await ConsoleServer.SendAsync(alice, "lobby", "delete me please");
        await page.Locator($"[data-message-id='{doomed}']").WaitForAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Delete message {doomed}" }).ClickAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Locator($"[data-message-id='{doomed}']").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        var history = await ConsoleServer.ReadAsync(await console.Server.Platform.GetAsync("/v1/group/channels/lobby/messages"));
        Assert.DoesNotContain("delete me please", history.ToJsonString());

        // Moderation: ban the reported sender for a day; the action is recorded with who did it.
        await page.GetByRole(AriaRole.Link, new() { Name = "Moderation" }).ClickAsync();
        var report = page.Locator($"[data-report-id='{reportId}']");
        await report.WaitForAsync();
        Assert.Contains("this is spam", await report.TextContentAsync());
        await report.GetByRole(AriaRole.Button, new() { Name = "Ban user…" }).ClickAsync();
        await page.Locator("#dialog select[name=seconds]").SelectOptionAsync("86400");
        await page.Keyboard.PressAsync("Enter");
        await report.Locator(".history li", new() { HasText = "User banned for 1 day(s) by console" }).WaitForAsync();
        var banned = await ConsoleServer.ReadAsync(await console.Server.Platform.GetAsync("/v1/group/channels/lobby/banned_list"));
        Assert.Contains("lobby-alice", banned.ToJsonString());

        // Sign out: the form comes back and the browser's session is gone on the server.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.GetByLabel("App ID").WaitForAsync();
        var status = await page.EvaluateAsync<int>("() => fetch('/console/api/session').then(r => r.status)");
        Assert.Equal(401, status);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "gitplelive_console");
    }

    [Fact]
    public async Task Wrong_credentials_show_a_clear_message_and_the_console_works_by_keyboard()
    {
        var page = await console.NewPageAsync();
        await page.GotoAsync("/console");
        await page.GetByLabel("App ID").FillAsync(console.Server.AppId);
        await page.GetByLabel("API key").FillAsync("wrong");
        await page.Keyboard.PressAsync("Enter");
        await page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "wrong APP_ID or APP_API_KEY" }).WaitForAsync();

        await page.GetByLabel("API key").FillAsync(console.Server.ApiKey);
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#nav").WaitForAsync();

        // The users page puts focus in its search box once loaded.
        await page.WaitForFunctionAsync("() => document.activeElement && document.activeElement.name === 'query'", null, Wait);
        // The first Tab reaches the skip link, which moves focus to the page's content.
        await page.EvaluateAsync(
            "() => { document.body.tabIndex = -1; document.body.focus(); document.body.removeAttribute('tabindex'); }");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("main", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        Assert.EndsWith("#/users", page.Url);

        // A dialog opened from the keyboard: Escape closes it and focus goes back; Enter submits it.
        var create = page.GetByRole(AriaRole.Button, new() { Name = "New user…" });
        await create.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#dialog[open]").WaitForAsync();
        Assert.Equal("user_id", await page.EvaluateAsync<string>("() => document.activeElement.name"));
        await page.Keyboard.PressAsync("Escape");
        await page.Locator("#dialog[open]").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        Assert.Equal("New user…", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));

        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.TypeAsync("keyboard-kim");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("Kim Keys");
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("td code", new() { HasText = "keyboard-kim" }).WaitForAsync();
        var user = await ConsoleServer.ReadAsync(await console.Server.Platform.GetAsync("/v1/users/keyboard-kim"));
        Assert.Equal("Kim Keys", user["name"]!.GetValue<string>());

        // Delete asks first; confirming removes the user through the Platform API.
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete keyboard-kim" }).ClickAsync();
        Assert.Contains("Delete keyboard-kim?", await page.Locator("#dialog-title").TextContentAsync());
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("td code", new() { HasText = "keyboard-kim" }).WaitForAsync(new() { State = WaitForSelectorState.Detached });
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await console.Server.Platform.GetAsync("/v1/users/keyboard-kim")).StatusCode);
    }

    [Fact]
    public async Task The_admin_switches_apps_and_live_stats_refresh_by_themselves()
    {
        var page = await console.NewPageAsync();
        await page.GotoAsync("/console");
        await page.GetByLabel("Admin key (every app)").CheckAsync();
        await page.Locator("input[name=admin_key]").FillAsync(ConsoleServer.AdminKey);
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#nav").WaitForAsync();
        var apps = await page.Locator("#app-select option").AllTextContentsAsync();
        Assert.Contains(apps, a => a.Contains(console.Server.AppId, StringComparison.Ordinal));
        Assert.Contains(apps, a => a.Contains(console.OtherAppId, StringComparison.Ordinal));

        await page.Locator("#app-select").SelectOptionAsync(console.OtherAppId);
        await page.GetByRole(AriaRole.Link, new() { Name = "Apps" }).ClickAsync();
        await page.Locator("h1", new() { HasText = "App: second app" }).WaitForAsync();

        // Webhooks for the second app through the Apps page: saved, then after a reload shown with the secret masked.
        const string secret = "browser-webhook-secret-0123456789";
        await using var receiver = await GitpleLive.TestHost.WebhookReceiver.StartAsync(secret);
        var hooks = page.GetByRole(AriaRole.Form, new() { Name = "Webhooks" });
        await hooks.GetByLabel("URL").FillAsync(receiver.Url);
        await hooks.GetByLabel("Secret").FillAsync(secret);
        await hooks.GetByLabel("Categories").FillAsync("group:message_send, user_create");
        await hooks.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await page.Locator("#toast", new() { HasText = "Webhooks saved" }).WaitForAsync();
        using var otherApp = new HttpClient { BaseAddress = new Uri(console.Server.BaseUrl) };
        otherApp.DefaultRequestHeaders.Add("APP_ID", console.OtherAppId);
        otherApp.DefaultRequestHeaders.Add("APP_API_KEY", console.OtherApiKey);
        var stored = await ConsoleServer.ReadAsync(await otherApp.GetAsync("/v1/app/webhooks"));
        Assert.Equal(receiver.Url, stored["url"]!.GetValue<string>());

        await page.ReloadAsync();
        await page.Locator("h1", new() { HasText = "App: second app" }).WaitForAsync();
        Assert.Equal(receiver.Url, await hooks.GetByLabel("URL").InputValueAsync());
        Assert.Equal("group:message_send, user_create", await hooks.GetByLabel("Categories").InputValueAsync());
        Assert.Equal("", await hooks.GetByLabel("Secret").InputValueAsync());
        Assert.Contains("****" + secret[^4..], await hooks.GetByLabel("Secret").GetAttributeAsync("placeholder") ?? "");
        Assert.DoesNotContain(secret, await page.ContentAsync());

        // A ping from the page reaches the receiver signed with the secret typed in, and shows in the delivery log.
        await hooks.GetByRole(AriaRole.Button, new() { Name = "Send ping" }).ClickAsync();
        var ping = await receiver.WaitForAsync("webhook:ping");
        var delivered = page.Locator($"[data-delivery-id='{ping.DeliveryId}'] .badge", new() { HasText = "delivered" });
        for (var i = 0; i < 40 && await delivered.CountAsync() == 0; i++)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync();
            await page.WaitForTimeoutAsync(250);
        }
        Assert.Equal(1, await delivered.CountAsync());

        await page.GetByRole(AriaRole.Link, new() { Name = "Live stats" }).ClickAsync();
        await page.Locator("#stat-connections").WaitForAsync();
        var first = await page.Locator("[role=status]", new() { HasText = "Updated" }).TextContentAsync();
        await page.WaitForFunctionAsync(
            "(before) => [...document.querySelectorAll('[role=status]')].some(e => e.textContent.startsWith('Updated') && e.textContent !== before)",
            first, Wait);
        Assert.Matches(new Regex("^[0-9]+$"), await page.Locator("#stat-connections").TextContentAsync() ?? "");
    }

    [Fact]
    public async Task Screenshots_of_every_page()
    {
        // Webhooks to a local receiver and an APNs key, so the Apps page shows settings and a delivery log.
        await using var receiver = await GitpleLive.TestHost.WebhookReceiver.StartAsync("screenshot-webhook-secret-0123");
        await ConsoleServer.ReadAsync(await console.Server.Platform.PutAsJsonAsync("/v1/app/webhooks",
            new { url = receiver.Url, secret = receiver.Secret, categories = new[] { "*" } }));
        using var ec = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        await ConsoleServer.ReadAsync(await console.Server.Platform.PutAsJsonAsync("/v1/app/push", new
        {
            apns = new
            {
                team_id = "A1B2C3D4E5", key_id = "K9L8M7N6O5", bundle_id = "com.example.chat", p8_pem = ec.ExportPkcs8PrivateKeyPem(),
                production = true,
            },
        }));
        var (alice, bob) = await console.ChannelWithTwoUsersAsync("design-review", "Design review");
        await console.Server.CreateUserAsync("carol", "Carol Jones");
        foreach (var text in new[] { "Morning! The mock-ups are in the shared folder.", "Looks great — one note on the header." })
            await ConsoleServer.SendAsync(alice, "design-review", text);
        var spam = await ConsoleServer.SendAsync(bob, "design-review", "CHEAP WATCHES click here");
        await ConsoleServer.ReportMessageAsync(alice, "design-review", spam, "spam link");
        await console.Server.Platform.PostAsJsonAsync("/v1/group/channels", new { channel_id = "support", name = "Support", members = new[] { "carol" } });

        var folder = Environment.GetEnvironmentVariable("GITPLELIVE_CONSOLE_SCREENSHOTS")
            ?? Path.Combine(Path.GetTempPath(), "gitplelive-console-shots", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var shots = new List<string>();
        async Task Shot(IPage page, string name)
        {
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await page.Mouse.MoveAsync(0, 0);
            var path = Path.Combine(folder, name + ".png");
            await page.ScreenshotAsync(new() { Path = path, FullPage = true });
            shots.Add(path);
        }

        foreach (var (width, height, suffix) in new[] { (1280, 820, "desktop"), (390, 844, "phone") })
        {
            var page = await console.NewPageAsync(width, height);
            await page.GotoAsync("/console");
            await page.GetByLabel("App ID").WaitForAsync();
            await Shot(page, $"signin-{suffix}");
            await SignInWithAppKeyAsync(page);
            await page.Locator("td code", new() { HasText = "carol" }).WaitForAsync();
            await Shot(page, $"users-{suffix}");
            await page.GotoAsync("/console#/channels/design-review");
            await page.Locator(".badge.live").WaitForAsync();
            await page.Locator(".messages li", new() { HasText = "CHEAP WATCHES" }).WaitForAsync();
            await Shot(page, $"channel-live-{suffix}");
            if (suffix == "phone") continue;
            await page.GotoAsync("/console#/channels");
            await page.Locator("td code", new() { HasText = "support" }).WaitForAsync();
            await Shot(page, $"channels-{suffix}");
            await page.GotoAsync("/console#/moderation");
            await page.Locator(".report").First.WaitForAsync();
            await Shot(page, $"moderation-{suffix}");
            await receiver.WaitForAsync("group:message_send");
            await page.GotoAsync("/console#/apps");
            await page.Locator("h1", new() { HasText = "App:" }).WaitForAsync();
            await page.Locator("[data-delivery-id] .badge", new() { HasText = "delivered" }).First.WaitForAsync();
            await Shot(page, $"apps-{suffix}");
            await page.GotoAsync("/console#/stats");
            await page.Locator("#stat-connections").WaitForAsync();
            for (var i = 0; i < 16; i++)
            {
                await ConsoleServer.SendAsync(i % 2 == 0 ? alice : bob, "design-review", $"traffic {i}");
                await Task.Delay(150 + 40 * (i % 5));
            }
            await page.WaitForTimeoutAsync(1200);
            await Shot(page, $"stats-{suffix}");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await page.GetByLabel("App ID").WaitForAsync();
            await SignInWithAppKeyAsync(page);
            await page.GetByRole(AriaRole.Button, new() { Name = "New user…" }).ClickAsync();
            await Shot(page, $"dialog-{suffix}");
        }
        foreach (var shot in shots) Assert.True(new FileInfo(shot).Length > 5_000, shot);
    }
}
