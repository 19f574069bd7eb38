using System.Text.Json;

namespace GitpleLive.Server.Api;

/// <summary>The one JSON setting of the wire: snake_case, absent optionals omitted.</summary>
public static class ApiJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var o = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        ApiJsonSetup.Apply(o);
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
