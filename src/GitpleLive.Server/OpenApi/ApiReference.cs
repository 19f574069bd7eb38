using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace GitpleLive.Server.OpenApi;

/// <summary>
/// The API reference: an OpenAPI 3.1 document of the SDK and Platform APIs at <c>/openapi/v1.json</c> and a
/// browsable page at <c>/docs</c> (Scalar, its script served from the package, no CDN). Response schemas come
/// from the handlers' <c>TypedResults</c>; request bodies, the auth headers and the error codes of each
/// operation are added here by route pattern.
/// </summary>
public static class ApiReference
{
    internal const string DocumentPath = "/openapi/v1.json";
    private const string SdkPrefix = "v1/sdk";
    private const string PlatformPrefix = "v1";

    public static IServiceCollection AddChatApiReference(this IServiceCollection services) =>
        services.AddOpenApi("v1", o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            o.AddDocumentTransformer(DescribeDocument);
            o.AddOperationTransformer(DescribeOperation);
            o.AddSchemaTransformer(NumbersAsNumbers);
        });

    public static void MapChatApiReference(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json");
        // The page loads its bundle from this server (the package embeds it), never from a CDN; no web
        // fonts, telemetry or hosted AI/MCP add-ons either, so it works on a network without the internet.
        app.MapScalarApiReference("/docs", o => o
            .WithTitle("GitpleLive API")
            .WithOpenApiRoutePattern(DocumentPath)
            .WithBundleUrl("/docs/scalar.js")
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp());
    }

    private static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context,
        CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "GitpleLive API",
            Version = "v1",
            Description = "The SDK API (/v1/sdk, an app's users with an SDK token) and the Platform API (/v1, an app's "
                + "backend with its API key). Every refusal answers the error body with the protocol's code. Realtime events "
                + "are MQTT over the WebSocket at /ws (docs/PROTOCOL.md).",
        };
        document.Tags = new HashSet<OpenApiTag>
        {
            new() { Name = "SDK API", Description = "/v1/sdk: an app's users, with APP_ID, USER_ID and an SDK token" },
            new() { Name = "Platform API", Description = "/v1: the app's backend, with APP_ID and APP_API_KEY" },
            new() { Name = "Server", Description = "health and signed file links" },
        };
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas["Error"] = ApiSchemas.Error();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        var schemes = document.Components.SecuritySchemes;
        schemes["AppId"] = Header("APP_ID", "the app's id (every API)");
        schemes["UserId"] = Header("USER_ID", "the calling user's id (SDK API)");
        schemes["AppApiKey"] = Header("APP_API_KEY", "the app's API key (Platform API)");
        schemes["SdkToken"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "Authorization: Bearer <SDK token> (the session token on /v1/sdk/users/token)",
        };
        // The health checks are request-delegate endpoints, which the API explorer does not describe.
        document.Paths ??= new OpenApiPaths();
        document.Paths["/health/live"] = HealthPath("Liveness: 200 while the process serves requests.");
        document.Paths["/health/ready"] = HealthPath(
            "Readiness: 200 when the database and Redis (if configured) answer; 503 naming the dependency that is down.");
        document.Paths["/metrics"] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Summary = "Prometheus scrape (text exposition format): the gitplelive_* series, ASP.NET Core's and the runtime's.",
                    Tags = new HashSet<OpenApiTagReference> { new("Server") },
                    Responses = new OpenApiResponses
                    {
                        ["200"] = new OpenApiResponse
                        {
                            Description = "metrics",
                            Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = ApiSchemas.Str() } },
                        },
                    },
                },
            },
        };
        return Task.CompletedTask;
    }

    private static OpenApiPathItem HealthPath(string summary)
    {
        var status = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [.. new[] { "healthy", "degraded", "unhealthy" }
            .Select(v => (System.Text.Json.Nodes.JsonNode)v)] };
        var check = ApiSchemas.Obj(("status", status, true), ("description", ApiSchemas.Str(), false),
            ("duration_ms", new OpenApiSchema { Type = JsonSchemaType.Number }, false));
        var report = ApiSchemas.Obj(("status", status, true),
            ("checks", new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = check }, true));
        OpenApiResponse Answer(string description) => new()
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = report } },
        };
        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Summary = summary,
                    Tags = new HashSet<OpenApiTagReference> { new("Server") },
                    Responses = new OpenApiResponses { ["200"] = Answer("healthy"), ["503"] = Answer("a dependency is down") },
                },
            },
        };
    }

    /// <summary>
    /// The server writes numbers as JSON numbers; the web defaults' "numbers may be read from strings" would
    /// otherwise describe every id and timestamp as <c>integer | string</c> with a digits pattern.
    /// </summary>
    private static Task NumbersAsNumbers(OpenApiSchema schema, OpenApiSchemaTransformerContext context,
        CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && type.HasFlag(JsonSchemaType.String) && schema.Pattern is not null
            && (type.HasFlag(JsonSchemaType.Integer) || type.HasFlag(JsonSchemaType.Number)))
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        return Task.CompletedTask;
    }

    private static OpenApiSecurityScheme Header(string name, string description) =>
        new() { Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = name, Description = description };

    private static Task DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context,
        CancellationToken cancellationToken)
    {
        var path = context.Description.RelativePath?.TrimEnd('/') ?? "";
        var method = context.Description.HttpMethod ?? "GET";
        var (api, pattern) = Split(path);
        var document = context.Document;
        operation.Tags ??= new HashSet<OpenApiTagReference>();
        operation.Tags.Clear();
        operation.Tags.Add(new OpenApiTagReference(api switch
        {
            Api.Sdk => "SDK API",
            Api.Platform => "Platform API",
            _ => "Server",
        }, document));

        if (ApiSchemas.Bodies.TryGetValue($"{method} {pattern}", out var body))
        {
            var content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = body() } };
            if (method == "POST" && pattern == "/group/channels/{channelId}/messages")
                content["multipart/form-data"] = new OpenApiMediaType { Schema = ApiSchemas.FileMessage() };
            operation.RequestBody = new OpenApiRequestBody { Required = true, Content = content };
        }

        operation.Security ??= [];
        if (Security(api, pattern) is { Length: > 0 } schemes)
        {
            var requirement = new OpenApiSecurityRequirement();
            foreach (var scheme in schemes) requirement[new OpenApiSecuritySchemeReference(scheme, document)] = [];
            operation.Security.Add(requirement);
        }

        operation.Responses ??= new OpenApiResponses();
        foreach (var (status, codes) in ApiErrors.For(api, method, pattern))
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = "Error: " + string.Join(", ", codes.Select(ApiErrors.Describe)),
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = new OpenApiSchemaReference("Error", document) },
                },
            };
        }
        return Task.CompletedTask;
    }

    internal enum Api { None, Sdk, Platform }

    /// <summary>The API a route belongs to, and its pattern below the API's prefix.</summary>
    internal static (Api Api, string Pattern) Split(string relativePath)
    {
        if (relativePath == SdkPrefix || relativePath.StartsWith(SdkPrefix + "/", StringComparison.Ordinal))
            return (Api.Sdk, relativePath[SdkPrefix.Length..]);
        if (relativePath.StartsWith("v1/files/", StringComparison.Ordinal)) return (Api.None, "/" + relativePath);
        if (relativePath.StartsWith(PlatformPrefix + "/", StringComparison.Ordinal))
            return (Api.Platform, relativePath[PlatformPrefix.Length..]);
        return (Api.None, "/" + relativePath);
    }

    private static string[] Security(Api api, string pattern) => api switch
    {
        // The token exchange takes the session token (or none, by client id) in place of the SDK token.
        Api.Sdk when pattern == "/users/token/by_client_id" => ["AppId", "UserId"],
        Api.Sdk => ["AppId", "UserId", "SdkToken"],
        Api.Platform => ["AppId", "AppApiKey"],
        _ => [],
    };
}
