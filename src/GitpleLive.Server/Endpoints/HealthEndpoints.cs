namespace GitpleLive.Server.Endpoints;

public static class HealthEndpoints
{
    /// <summary><c>GET /health</c>: 200, with the caller's IP in <c>x-forwarded-for</c> (clients put it in their MQTT client id).</summary>
    public static void Map(WebApplication app) =>
        app.MapGet("/health", (HttpContext http) =>
        {
            var forwarded = http.Request.Headers["X-Forwarded-For"].ToString();
            var ip = forwarded.Length > 0 ? forwarded.Split(',')[0].Trim() : http.Connection.RemoteIpAddress?.MapToIPv4().ToString() ?? "";
            http.Response.Headers["x-forwarded-for"] = ip;
            return Results.Json(new { status = "ok" });
        });
}
