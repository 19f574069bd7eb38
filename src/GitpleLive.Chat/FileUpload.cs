namespace GitpleLive.Chat;

/// <summary>
/// The file of a file message: a stream or a file on disk, with the name and MIME type the server stores.
/// Create one with <see cref="FromStream"/> or <see cref="FromFile"/>.
/// </summary>
public sealed class FileUpload
{
    private readonly Func<Stream> _open;

    private FileUpload(Func<Stream> open, string fileName, string contentType, bool leaveOpen)
    {
        _open = open;
        FileName = fileName;
        ContentType = contentType;
        LeaveOpen = leaveOpen;
    }

    /// <summary>The file name sent to the server.</summary>
    public string FileName { get; }

    /// <summary>The MIME type sent to the server, for example <c>image/png</c>.</summary>
    public string ContentType { get; }

    internal bool LeaveOpen { get; }

    internal Stream Open() => _open();

    /// <summary>Uploads the rest of <paramref name="stream"/>. The stream is read once and left open.</summary>
    /// <param name="stream">The content to upload, read from its current position.</param>
    /// <param name="fileName">The file name sent to the server.</param>
    /// <param name="contentType">The MIME type; <c>application/octet-stream</c> when not given.</param>
    /// <returns>The upload.</returns>
    /// <exception cref="GitpleLiveException">60101 when the stream or file name is missing.</exception>
    public static FileUpload FromStream(Stream stream, string fileName, string? contentType = null)
    {
        if (stream is null) throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, "stream is required");
        if (string.IsNullOrWhiteSpace(fileName)) throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters,
            "fileName is required");
        return new FileUpload(() => stream, fileName, string.IsNullOrWhiteSpace(contentType) ? "application/octet-stream" : contentType,
            leaveOpen: true);
    }

    /// <summary>Uploads a file on disk; it is opened when the message is sent and closed afterwards.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="contentType">The MIME type; guessed from the extension when not given (<c>application/octet-stream</c> if
    /// unknown).</param>
    /// <param name="fileName">The file name sent to the server; the path's file name when not given.</param>
    /// <returns>The upload.</returns>
    /// <exception cref="GitpleLiveException">60101 when the path is missing or the file does not exist.</exception>
    public static FileUpload FromFile(string path, string? contentType = null, string? fileName = null)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, "path is required");
        if (!File.Exists(path)) throw new GitpleLiveException(GitpleLiveErrorCode.ClientInvalidParameters, $"file not found: {path}");
        var name = string.IsNullOrWhiteSpace(fileName) ? Path.GetFileName(path) : fileName;
        var type = string.IsNullOrWhiteSpace(contentType) ? GuessContentType(path) : contentType;
        return new FileUpload(() => File.OpenRead(path), name, type, leaveOpen: false);
    }

    internal static string GuessContentType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".gif" => "image/gif",
        ".webp" => "image/webp",
        ".svg" => "image/svg+xml",
        ".txt" => "text/plain",
        ".json" => "application/json",
        ".pdf" => "application/pdf",
        ".zip" => "application/zip",
        ".mp3" => "audio/mpeg",
        ".mp4" => "video/mp4",
        _ => "application/octet-stream",
    };
}
