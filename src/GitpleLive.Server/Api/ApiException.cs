namespace GitpleLive.Server.Api;

/// <summary>A refusal that maps to the protocol's error body.</summary>
public sealed class ApiException(int code, int status, string message) : Exception(message)
{
    public int Code { get; } = code;
    public int Status { get; } = status;

    public static ApiException BadRequest(string message) => new(ErrorCodes.InvalidParameters, 400, message);
    public static ApiException Invalid(int code, string message) => new(code, 400, message);
    public static ApiException NotFound(int code, string message) => new(code, 404, message);
    public static ApiException Forbidden(int code, string message) => new(code, 403, message);
    public static ApiException Unauthorized(int code, string message) => new(code, 401, message);
}
