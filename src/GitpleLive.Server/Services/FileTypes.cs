namespace GitpleLive.Server.Services;

/// <summary>
/// The MIME type of an upload whose part says nothing useful (<c>*/*</c> from both mobile SDKs, or none): from the
/// file's leading bytes, else its extension, else <c>application/octet-stream</c>.
/// </summary>
public static class FileTypes
{
    public const string Generic = "application/octet-stream";

    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".png"] = "image/png", [".gif"] = "image/gif",
        [".webp"] = "image/webp", [".bmp"] = "image/bmp", [".heic"] = "image/heic", [".heif"] = "image/heif",
        [".svg"] = "image/svg+xml", [".mp4"] = "video/mp4", [".mov"] = "video/quicktime", [".webm"] = "video/webm",
        [".3gp"] = "video/3gpp", [".mp3"] = "audio/mpeg", [".m4a"] = "audio/mp4", [".aac"] = "audio/aac",
        [".wav"] = "audio/wav", [".ogg"] = "audio/ogg", [".pdf"] = "application/pdf", [".txt"] = "text/plain",
        [".csv"] = "text/csv", [".json"] = "application/json", [".zip"] = "application/zip",
        [".doc"] = "application/msword", [".xls"] = "application/vnd.ms-excel", [".ppt"] = "application/vnd.ms-powerpoint",
        [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        [".pptx"] = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    };

    /// <summary>True when a part's declared type says nothing: missing, <c>*/*</c> or the generic binary type.</summary>
    public static bool IsUnspecific(string? declared) =>
        string.IsNullOrWhiteSpace(declared) || declared.Trim() is "*/*" or Generic || declared.StartsWith("*/*;", StringComparison.Ordinal);

    /// <summary>The type of a file named <paramref name="name"/> starting with <paramref name="head"/>.</summary>
    public static string Detect(string name, ReadOnlySpan<byte> head)
    {
        var sniffed = Sniff(head);
        var byName = ByExtension.GetValueOrDefault(Path.GetExtension(name));
        // A container signature (zip, ISO media) says less than the extension (docx is a zip, mov/m4a are ISO media).
        if (sniffed is "application/zip" or "video/mp4" && byName is not null) return byName;
        return sniffed ?? byName ?? Generic;
    }

    private static string? Sniff(ReadOnlySpan<byte> h)
    {
        if (h.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return "image/jpeg";
        if (h.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return "image/png";
        if (h.StartsWith("GIF87a"u8) || h.StartsWith("GIF89a"u8)) return "image/gif";
        if (h.Length >= 12 && h.StartsWith("RIFF"u8) && h[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        if (h.Length >= 12 && h.StartsWith("RIFF"u8) && h[8..12].SequenceEqual("WAVE"u8)) return "audio/wav";
        if (h.StartsWith("%PDF-"u8)) return "application/pdf";
        if (h.StartsWith("BM"u8) && h.Length >= 14) return null; // too weak a signature: trust the extension
        if (h.StartsWith("PK\x03\x04"u8)) return "application/zip";
        if (h.Length >= 12 && h[4..8].SequenceEqual("ftyp"u8))
        {
            var brand = h[8..12];
            if (brand.SequenceEqual("heic"u8) || brand.SequenceEqual("heix"u8)) return "image/heic";
            if (brand.SequenceEqual("qt  "u8)) return "video/quicktime";
            return "video/mp4";
        }
        if (h.StartsWith("ID3"u8)) return "audio/mpeg";
        return null;
    }
}
