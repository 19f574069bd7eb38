using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GitpleLive.TestHost;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace GitpleLive.Server.Tests;

/// <summary>The API reference: the OpenAPI document at <c>/openapi/v1.json</c> and the page at <c>/docs</c>.</summary>
public class ApiReferenceTests(ApiReferenceTests.DiagnosticsFixture fx) : IClassFixture<ApiReferenceTests.DiagnosticsFixture>
{
    /// <summary>With the benchmark routes mapped too, so that they are held to the same rule.</summary>
    public sealed class DiagnosticsFixture : ServerFixture
    {
        protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?>
        {
            ["GitpleLive:EnableDiagnostics"] = "true",
        };
    }

    private TestServer Server => fx.Server;

    private async Task<JsonObject> DocumentAsync()
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync($"{Server.BaseUrl}/openapi/v1.json");
        Assert.Equal(200, (int)response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }

    /// <summary>Every HTTP route the running server maps, as OpenAPI names it: <c>("POST", "/v1/users/{userId}/token")</c>.</summary>
    private List<(string Method, string Path)> MappedRoutes()
    {
        var source = Server.Services.GetRequiredService<EndpointDataSource>();
        var routes = new List<(string, string)>();
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            // Not API operations: the WebSocket (any method), the protocol-shaped 404 fallback, and the
            // reference itself (the document and the page).
            if (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } methods) continue;
            if (endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is { ExcludeFromDescription: true }) continue;
            var raw = endpoint.RoutePattern.RawText ?? "";
            if (raw.Contains("{*path:nonfile}", StringComparison.Ordinal)) continue;
            var path = "/" + Regex.Replace(raw.TrimStart('/'), @"\{\*{0,2}([A-Za-z]+)(:[^}]*)?\}", "{$1}").TrimEnd('/');
            foreach (var method in methods.HttpMethods) routes.Add((method, path));
        }
        return routes;
    }

    [Fact]
    public async Task Every_mapped_route_is_in_the_document()
    {
        var document = await DocumentAsync();
        Assert.StartsWith("3.1", document["openapi"]!.GetValue<string>());
        var paths = document["paths"]!.AsObject();
        var routes = MappedRoutes();
        Assert.True(routes.Count > 60, $"only {routes.Count} routes found");
        Assert.Contains(routes, r => r.Path == "/v1/diagnostics/fanout");
        var missing = routes
            .Where(r => paths[r.Path]?[r.Method.ToLowerInvariant()] is null)
            .Select(r => $"{r.Method} {r.Path}")
            .ToList();
        Assert.True(missing.Count == 0, "not in the document: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Operations_carry_their_auth_headers_and_error_codes()
    {
        var document = await DocumentAsync();
        var schemes = document["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal("APP_ID", schemes["AppId"]!["name"]!.GetValue<string>());
        Assert.Equal("header", schemes["AppApiKey"]!["in"]!.GetValue<string>());
        Assert.Equal("APP_API_KEY", schemes["AppApiKey"]!["name"]!.GetValue<string>());
        Assert.Equal("USER_ID", schemes["UserId"]!["name"]!.GetValue<string>());
        Assert.Equal("bearer", schemes["SdkToken"]!["scheme"]!.GetValue<string>());

        var paths = document["paths"]!;
        var send = paths["/v1/sdk/group/channels/{channelId}/messages"]!["post"]!;
        var sdkSecurity = send["security"]![0]!.AsObject().Select(p => p.Key).Order().ToArray();
        Assert.Equal(["AppId", "SdkToken", "UserId"], sdkSecurity);
        var platform = paths["/v1/users"]!["post"]!;
        Assert.Equal(["AppApiKey", "AppId"], platform["security"]![0]!.AsObject().Select(p => p.Key).Order().ToArray());
        Assert.Empty(paths["/health"]!["get"]!["security"]!.AsArray());

        // Error codes per operation, each answering the protocol's error body.
        Assert.Contains("1009", send["responses"]!["403"]!["description"]!.GetValue<string>());
        Assert.Contains("1020", send["responses"]!["400"]!["description"]!.GetValue<string>());
        Assert.Contains("1003", send["responses"]!["404"]!["description"]!.GetValue<string>());
        Assert.Contains("4001", send["responses"]!["401"]!["description"]!.GetValue<string>());
        Assert.Contains("4003", platform["responses"]!["401"]!["description"]!.GetValue<string>());
        Assert.Contains("1007", platform["responses"]!["400"]!["description"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/Error",
            platform["responses"]!["400"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        var error = document["components"]!["schemas"]!["Error"]!;
        Assert.Equal(["code", "message", "path", "status", "timestamp"],
            error["properties"]!.AsObject().Select(p => p.Key).Order().ToArray());
    }

    [Fact]
    public async Task Request_and_response_schemas_are_the_wire_shapes()
    {
        var document = await DocumentAsync();
        var paths = document["paths"]!;
        var schemas = document["components"]!["schemas"]!;

        // Request: the channel create body, required fields first.
        var create = paths["/v1/group/channels"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!;
        Assert.Equal(["channel_id", "name"], create["required"]!.AsArray().Select(n => n!.GetValue<string>()).Order().ToArray());
        Assert.Equal("array", create["properties"]!["members"]!["type"]!.GetValue<string>());
        // A file message is multipart with a binary part.
        var send = paths["/v1/sdk/group/channels/{channelId}/messages"]!["post"]!["requestBody"]!["content"]!;
        Assert.Equal("binary", send["multipart/form-data"]!["schema"]!["properties"]!["file"]!["format"]!.GetValue<string>());

        // Response: the message, snake_case, numbers as integers.
        var sendOk = paths["/v1/sdk/group/channels/{channelId}/messages"]!["post"]!["responses"]!["200"]!;
        Assert.Equal("#/components/schemas/MessageDto", sendOk["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        var message = schemas["MessageDto"]!["properties"]!;
        foreach (var field in new[] { "message_id", "channel_id", "type", "user", "content", "created_at", "updated_at" })
            Assert.NotNull(message[field]);
        Assert.Equal("integer", message["message_id"]!["type"]!.ToString());
        Assert.Equal("#/components/schemas/UserDto", message["user"]!["$ref"]!.GetValue<string>());
        Assert.NotNull(schemas["UserDto"]!["properties"]!["user_id"]);
        var token = paths["/v1/users/{userId}/token"]!["post"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!;
        Assert.NotNull(schemas[token["$ref"]!.GetValue<string>().Split('/')[^1]]!["properties"]!["token"]);
    }

    [Fact]
    public async Task Reference_page_loads_its_script_from_this_server()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = true });
        var html = await http.GetStringAsync($"{Server.BaseUrl}/docs/");
        var sources = Regex.Matches(html, "(?:src|href)=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(sources);
        Assert.DoesNotContain("//", string.Join(" ", sources));
        Assert.DoesNotMatch("https?://", html);
        foreach (var source in sources)
        {
            var url = new Uri(new Uri($"{Server.BaseUrl}/docs/"), source);
            using var response = await http.GetAsync(url);
            Assert.True(response.IsSuccessStatusCode, $"{url} answered {(int)response.StatusCode}");
            Assert.True(response.Content.Headers.ContentLength is null or > 1000, $"{url} is nearly empty");
        }
        // The page's own script resolves the document against this server's root.
        Assert.Contains("\"url\":\"openapi/v1.json\"", html);
        Assert.Contains("\"withDefaultFonts\":false", html);
    }
}
