using Microsoft.OpenApi;

namespace GitpleLive.Server.OpenApi;

/// <summary>
/// Request bodies of the SDK and Platform APIs, keyed by method and route pattern below the API's
/// prefix (<c>/v1/sdk</c> or <c>/v1</c>). Handlers parse bodies strictly by hand (<c>Api/JsonBody.cs</c>), so
/// the document states their shape here; a test checks that the document covers every mapped route.
/// </summary>
internal static class ApiSchemas
{
    public static OpenApiSchema Str(string? description = null, int? maxLength = null) =>
        new() { Type = JsonSchemaType.String, Description = description, MaxLength = maxLength };

    public static OpenApiSchema Int(string? description = null) =>
        new() { Type = JsonSchemaType.Integer, Format = "int64", Description = description };

    public static OpenApiSchema Bool(string? description = null) => new() { Type = JsonSchemaType.Boolean, Description = description };

    public static OpenApiSchema Ids(string description) => new() { Type = JsonSchemaType.Array, Items = Str(), Description = description };

    public static OpenApiSchema Meta(string description = "string keys to string values") =>
        new() { Type = JsonSchemaType.Object, AdditionalProperties = Str(), Description = description };

    public static OpenApiSchema Obj(params (string Name, IOpenApiSchema Schema, bool Required)[] properties) => new()
    {
        Type = JsonSchemaType.Object,
        Properties = properties.ToDictionary(p => p.Name, p => p.Schema),
        Required = properties.Where(p => p.Required).Select(p => p.Name).ToHashSet(),
    };

    private static (string, IOpenApiSchema, bool) R(string name, IOpenApiSchema schema) => (name, schema, true);
    private static (string, IOpenApiSchema, bool) O(string name, IOpenApiSchema schema) => (name, schema, false);

    /// <summary>The error body every refusal answers with (PROTOCOL §2).</summary>
    public static OpenApiSchema Error() => Obj(
        R("code", new OpenApiSchema { Type = JsonSchemaType.Integer, Description = "the protocol's error code" }),
        R("message", Str("what was wrong, naming the field")), R("status", new OpenApiSchema { Type = JsonSchemaType.Integer }),
        R("path", Str()), R("timestamp", Str("milliseconds since the epoch, as a string of digits (PROTOCOL §7)")));

    /// <summary>JSON request bodies by <c>"METHOD /pattern"</c> below the API prefix.</summary>
    public static readonly IReadOnlyDictionary<string, Func<OpenApiSchema>> Bodies = new Dictionary<string, Func<OpenApiSchema>>
    {
        ["POST /group/channels"] = () => Obj(R("channel_id", Str()), R("name", Str()), O("profile_url", Str()),
            O("members", Ids("user ids (SDK: up to 1000; Platform: up to 100,000)")),
            O("reuse", Bool("answer the existing channel instead of 1007")), O("meta", Meta()),
            O("managers", Ids("Platform API only"))),
        ["PUT /group/channels/{channelId}"] = () => Obj(O("name", Str()), O("profile_url", Str()), O("meta", Meta("Platform API only"))),
        ["PUT /group/channels/{channelId}/freeze"] = () => Obj(R("freeze", Bool())),
        ["PUT /group/channels/{channelId}/meta"] = () => Obj(R("meta", Meta())),
        ["DELETE /group/channels/{channelId}/meta"] = () => Obj(R("keys", Ids("meta keys to remove"))),
        ["POST /group/channels/{channelId}/managers"] = () => Obj(R("manager", Str("user id"))),
        ["DELETE /group/channels/{channelId}/managers"] = () => Obj(R("manager", Str("user id"))),
        ["POST /group/channels/{channelId}/members"] = () => Obj(R("members", Ids("user ids, up to 1000"))),
        ["DELETE /group/channels/{channelId}/members"] = () => Obj(R("members", Ids("user ids, up to 1000"))),
        ["POST /group/channels/{channelId}/messages"] = () => Obj(O("type", Str("\"text\" (default); files are sent as multipart")),
            R("content", Str()), O("user_id", Str("sender; Platform API only, required there")), O("meta", Meta())),
        ["PUT /group/channels/{channelId}/messages/{messageId}/meta"] = () => Obj(R("meta", Meta())),
        ["DELETE /group/channels/{channelId}/messages/{messageId}/meta"] = () => Obj(R("keys", Ids("meta keys to remove"))),
        ["POST /group/channels/{channelId}/messages/import"] = () => Obj(R("messages", new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            Description = "up to 1000 messages, stored in order",
            Items = Obj(R("user_id", Str()), R("content", Str()), O("created_at", Int("milliseconds")), O("meta", Meta())),
        })),
        ["POST /group/channels/{channelId}/ban"] = () => Obj(R("user_id", Str()),
            R("seconds", Int("ban length, 1 second to 10 years")), O("reason", Str())),
        ["POST /reports"] = () => Obj(R("report_type", Str("user | message | channel")), O("report_category", Str()),
            O("channel_type", Str()), O("reason", Str()), O("user_id", Str()), O("channel_id", Str()), O("message_id", Int())),
        ["POST /users/token"] = () => Obj(),
        ["POST /users/token/by_client_id"] = () => Obj(O("client_id", Str("also accepted as clientId"))),
        ["POST /users/{userId}/token"] = () => Obj(O("expires_at", Int("milliseconds since the epoch"))),
        ["PUT /users"] = () => Obj(O("name", Str()), O("profile_url", Str())),
        ["PUT /users/{userId}/meta"] = () => Obj(R("meta", Meta())),
        ["DELETE /users/{userId}/meta"] = () => Obj(R("keys", Ids("meta keys to remove"))),
        ["PUT /users/messages/read"] = () => Obj(R("channels", Ids("channel ids, up to 100"))),
        ["POST /users"] = () => Obj(R("user_id", Str()), R("name", Str()), O("profile_url", Str()), O("meta", Meta())),
        ["PUT /users/{userId}"] = () => Obj(O("name", Str()), O("profile_url", Str()), O("meta", Meta())),
        ["PUT /app"] = () => Obj(O("name", Str()), O("max_members_per_channel", Int()), O("max_managers_per_channel", Int()),
            O("max_file_size", Int("bytes")), O("max_meta_keys", Int()), O("allow_tokenless", Bool()),
            O("profanity_mode", Str("off | block | mask")), O("profanity_words", Ids("the word list")),
            O("max_participants_per_open_channel", Int())),
        ["PUT /app/webhooks"] = () => Obj(R("url", Str("absolute http(s) URL the app's changes are POSTed to")),
            O("secret", Str("signing secret, 16 to 256 characters; required the first time, never shown again")),
            O("categories", Ids("\"*\" (every change) or category names; default \"*\""))),
        ["POST /diagnostics/fanout"] = () => Obj(R("channel_ids", Ids("channels to publish to")), R("rate", Int("events per second")),
            R("seconds", Int()), O("content_bytes", Int("size of each event's content"))),
        ["PUT /app/push"] = () => Obj(
            O("fcm", Obj(O("project_id", Str()), O("service_account_json", Str("the key's JSON (write-only)")), O("endpoint", Str()),
                O("token_endpoint", Str()))),
            O("apns", Obj(O("team_id", Str()), O("key_id", Str()), O("bundle_id", Str()), O("p8_pem", Str("the .p8 key (write-only)")),
                O("production", Bool()), O("endpoint", Str()))),
            O("webhook", Obj(O("url", Str()), O("secret", Str("at least 16 characters (write-only)"))))),
        ["PUT /group/channels/{channelId}/push"] = () => Obj(R("push", Str("all | mentions | off")),
            O("user_id", Str("the member; Platform API only"))),
    };

    /// <summary>The multipart form of a file message.</summary>
    public static OpenApiSchema FileMessage() => Obj(R("type", new OpenApiSchema { Type = JsonSchemaType.String, Const = "file" }),
        R("file", new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" }),
        O("user_id", Str("sender; Platform API only")), O("meta", Str("a JSON object of string values")));
}
