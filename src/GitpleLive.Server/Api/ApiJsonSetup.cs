using System.Text.Json;
using System.Text.Json.Serialization;

namespace GitpleLive.Server.Api;

public static class ApiJsonSetup
{
    /// <summary>Sets the wire's JSON (<see cref="ApiJson.Options"/>) as the options every endpoint result is written with.</summary>
    public static IServiceCollection AddChatApiJson(this IServiceCollection services) =>
        services.ConfigureHttpJsonOptions(o => Apply(o.SerializerOptions));

    /// <summary>The wire's settings: snake_case, dictionary keys as they are, absent optionals omitted, compact text.</summary>
    internal static void Apply(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        // Compact: non-ASCII text and & + < > ' as they are, not \uXXXX (Android reads only the first 1,024 bytes of
        // an upload answer). Characters outside the BMP (emoji) are still written as surrogate escapes.
        options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    }
}
