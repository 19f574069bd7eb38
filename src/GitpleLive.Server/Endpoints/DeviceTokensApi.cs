namespace GitpleLive.Server.Endpoints;

/// <summary>The mobile SDKs' push-token routes (PROTOCOL §9): both answer 200 <c>{}</c>.</summary>
public static class DeviceTokensApi
{
    public static RouteGroupBuilder MapSdkDeviceTokens(this RouteGroupBuilder sdk)
    {
        // { clientId, token }: sent during connect when the app has a push token; a failure fails the SDK's connect.
        sdk.MapPost("/users/device_token", async (HttpContext http, ChatCaller caller, DeviceTokenService tokens,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            if (!HasClientId(body) && body.Has("platform"))
            {
                // Our SDK (PROTOCOL §10): { token, platform } with no MQTT client id.
                var platform = body.RequiredString("platform", 8);
                if (platform is not ("android" or "ios")) throw ApiException.BadRequest("platform must be android or ios");
                var pushToken = body.RequiredString("token", Limits.DeviceTokenLength);
                await tokens.RegisterTokenAsync(caller, pushToken, platform, cancellationToken);
                return EndpointMap.Done();
            }
            var clientId = ClientId(body);
            var token = body.RequiredString("token", Limits.DeviceTokenLength);
            await tokens.RegisterAsync(caller, clientId, token, cancellationToken);
            return EndpointMap.Done();
        });

        // { clientId }: logout. Forgetting a device that has no token is not an error.
        sdk.MapDelete("/users/device_token", async (HttpContext http, ChatCaller caller, DeviceTokenService tokens,
            CancellationToken cancellationToken) =>
        {
            var body = await http.BodyAsync();
            if (!HasClientId(body) && body.Has("token"))
                await tokens.UnregisterTokenAsync(caller, body.RequiredString("token", Limits.DeviceTokenLength), cancellationToken);
            else await tokens.UnregisterAsync(caller, ClientId(body), cancellationToken);
            return EndpointMap.Done();
        });
        return sdk;
    }

    private static bool HasClientId(JsonBody body) => body.Has("clientId") || body.Has("client_id");

    private static string ClientId(JsonBody body) =>
        body.OptionalString("clientId", Limits.ClientIdLength) ?? body.OptionalString("client_id", Limits.ClientIdLength)
        ?? throw ApiException.BadRequest("clientId is required");
}
