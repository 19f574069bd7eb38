using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace GitpleLive.Server.Api;

/// <summary>Turns every failure into the protocol's error body; nothing leaks as a bare 500.</summary>
public sealed class ErrorHandlingMiddleware(RequestDelegate next, ILogger<ErrorHandlingMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
            // A refusal from below the endpoints (405 from routing, a bare status) has no body: give it the protocol's
            // error body, since the Android SDK crashes on an empty or non-JSON error body.
            if (!context.Response.HasStarted && context.Response.StatusCode >= 400 && context.Response.ContentLength is null
                && context.Response.ContentType is null)
                await WriteAsync(context, context.Response.StatusCode,
                    context.Response.StatusCode == 405 ? ErrorCodes.ResourceNotFound
                    : context.Response.StatusCode >= 500 ? ErrorCodes.UnknownServerError : ErrorCodes.InvalidParameters,
                    context.Response.StatusCode == 405
                        ? $"no route {context.Request.Method} {context.Request.Path}"
                        : $"request refused ({context.Response.StatusCode})");
        }
        catch (ApiException e)
        {
            await WriteAsync(context, e.Status, e.Code, e.Message);
        }
        catch (BadHttpRequestException e)
        {
            // Kestrel/binding refusals: body too large, malformed form, and the like.
            var code = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? ErrorCodes.FileSizeExceeded : ErrorCodes.InvalidParameters;
            await WriteAsync(context, e.StatusCode == 413 ? 413 : 400, code, e.Message);
        }
        catch (InvalidDataException e)
        {
            await WriteAsync(context, 400, ErrorCodes.InvalidParameters, "malformed request body: " + e.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; nothing to answer.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            await WriteAsync(context, 500, ErrorCodes.UnknownServerError, "unknown server error");
        }
    }

    public static async Task WriteAsync(HttpContext context, int status, int code, string message)
    {
        if (context.Response.HasStarted) return;
        context.Response.Clear();
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        var time = context.RequestServices?.GetService<TimeProvider>() ?? TimeProvider.System;
        var stamp = time.GetUtcNow().ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var body = new ErrorBody(code, message, status, context.Request.Path.Value ?? "", stamp);
        await JsonSerializer.SerializeAsync(context.Response.Body, body, ApiJson.Options);
    }

    // Timestamp is milliseconds as a digits string: the iOS SDK decodes it as a required String (PROTOCOL §7).
    private sealed record ErrorBody(int Code, string Message, int Status, string Path, string Timestamp);
}
