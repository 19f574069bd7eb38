using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace GitpleLive.Server.Tests;

/// <summary>Small HTTP helpers shared by the test classes: send, expect a status and read JSON.</summary>
public static class Api
{
    public static async Task<JsonNode?> SendAsync(this HttpClient http, HttpMethod method, string path, object? body = null, int expectStatus = 200)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is string raw) request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        else if (body is HttpContent content) request.Content = content;
        else if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expectStatus, $"{method} {path}: expected {expectStatus}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    public static Task<JsonNode?> GetJsonAsync(this HttpClient http, string path, int expectStatus = 200) => http.SendAsync(HttpMethod.Get, path, null, expectStatus);
    public static Task<JsonNode?> PostJsonAsync(this HttpClient http, string path, object? body, int expectStatus = 200) => http.SendAsync(HttpMethod.Post, path, body, expectStatus);
    public static Task<JsonNode?> PutJsonAsync(this HttpClient http, string path, object? body = null, int expectStatus = 200) => http.SendAsync(HttpMethod.Put, path, body, expectStatus);
    public static Task<JsonNode?> DeleteJsonAsync(this HttpClient http, string path, object? body = null, int expectStatus = 200) => http.SendAsync(HttpMethod.Delete, path, body, expectStatus);

    /// <summary>Asserts a protocol error: status and code, and returns the message.</summary>
    public static async Task<string> ExpectErrorAsync(this HttpClient http, HttpMethod method, string path, object? body, int status, int code)
    {
        var error = await http.SendAsync(method, path, body, status);
        Assert.NotNull(error);
        Assert.Equal(code, error!["code"]!.GetValue<int>());
        Assert.Equal(status, error["status"]!.GetValue<int>());
        Assert.True(error["timestamp"]!.GetValue<long>() > 0);
        return error["message"]!.GetValue<string>();
    }
}
