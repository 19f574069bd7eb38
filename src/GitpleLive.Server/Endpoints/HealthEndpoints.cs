namespace GitpleLive.Server.Endpoints;

public static class HealthEndpoints
{
    /// <summary>
    /// <c>GET /health</c>: 200 with the text body <c>Health!</c> (the iOS SDK then takes its IP from the header; any other
    /// body it would use as the IP) and the caller's IP in <c>x-forwarded-for</c> (behind a known proxy, the client it
    /// forwarded for); clients put it in their MQTT client id.
    /// </summary>
    public static void Map(WebApplication app) =>
        app.MapGet("/health", (HttpContext http) =>
        {
            // The peer, or the client a known proxy forwarded for (ChatServer's forwarded-headers step); IPv6 as IPv6.
            var remote = http.Connection.RemoteIpAddress;
            var ip = remote is null ? "" : remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4().ToString() : remote.ToString();
            http.Response.Headers["x-forwarded-for"] = ip;
            return Results.Text("Health!", "text/plain; charset=utf-8");
        });
}
