namespace GitpleLive.Chat;

/// <summary>
/// The one exception the SDK throws for failed calls: server errors (the error body's <c>code</c>,
/// for example 1008 not_joined) and client-side errors (60101–60999, see <see cref="GitpleLiveErrorCode"/>).
/// </summary>
public sealed class GitpleLiveException : Exception
{
    // Both constructors shipped with an optional innerException in GitpleLive.Chat 1.1.0; changing either
    // would break compiled callers (RS0026).
#pragma warning disable RS0026
    /// <summary>Creates an exception with a protocol code.</summary>
    /// <param name="code">The numeric code (see <see cref="GitpleLiveErrorCode"/>).</param>
    /// <param name="message">A human-readable description.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public GitpleLiveException(int code, string message, Exception? innerException = null)
        : this(code, null, message, null, null, innerException)
    {
    }

    /// <summary>Creates an exception with every detail a server error body can carry.</summary>
    /// <param name="code">The numeric code (see <see cref="GitpleLiveErrorCode"/>).</param>
    /// <param name="name">The snake_case name; <see langword="null"/> to derive it from <paramref name="code"/>.</param>
    /// <param name="message">A human-readable description.</param>
    /// <param name="status">The HTTP status of a server error; <see langword="null"/> for client-side errors.</param>
    /// <param name="path">The request path the server reported, if any.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public GitpleLiveException(int code, string? name, string message, int? status, string? path, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        Name = string.IsNullOrEmpty(name) ? GitpleLiveErrorCode.GetName(code) : name;
        Status = status;
        Path = path;
    }
#pragma warning restore RS0026

    /// <summary>The protocol's numeric error code, for example 1008 or 60904.</summary>
    public int Code { get; }

    /// <summary>The protocol's snake_case error name, for example <c>not_joined</c> or <c>not_connected</c>.</summary>
    public string Name { get; }

    /// <summary>The HTTP status of a server error; <see langword="null"/> for errors raised by the SDK itself.</summary>
    public int? Status { get; }

    /// <summary>The request path reported in a server error body, if any.</summary>
    public string? Path { get; }

    /// <summary><see langword="true"/> when the SDK raised this error itself (codes 60101–60999).</summary>
    public bool IsClientError => Code is >= 60000 and < 61000;

    /// <inheritdoc />
    public override string ToString() => $"GitpleLiveException {Code} {Name}: {Message}" + (InnerException is null ? "" : " ---> "
        + InnerException);
}
