using System.Security.Cryptography;
using System.Text;

namespace GitpleLive.Server.Services;

/// <summary>
/// The file-link signing key: from <see cref="ChatServerOptions.FileUrlKey"/> (shared by every node of a cluster), else
/// a random key kept in the data folder so links survive restarts of a single node.
/// </summary>
public sealed class FileUrlKey
{
    private readonly byte[] _key;

    public FileUrlKey(ChatServerOptions options, ILogger<FileUrlKey> logger)
    {
        if (!string.IsNullOrEmpty(options.FileUrlKey))
        {
            _key = SHA256.HashData(Encoding.UTF8.GetBytes(options.FileUrlKey));
            return;
        }
        if (options.UsesRedis)
            logger.LogWarning("GitpleLive:FileUrlKey is not set: each node signs file links with its own key, so a link "
                + "from one node fails on another. Set the same GitpleLive:FileUrlKey on every node.");
        var path = Path.Combine(options.DataDirectory, "file-link.key");
        Directory.CreateDirectory(options.DataDirectory);
        if (File.Exists(path)) _key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        else
        {
            _key = RandomNumberGenerator.GetBytes(32);
            File.WriteAllText(path, Convert.ToBase64String(_key));
        }
    }

    public string Sign(string fileKey, string name, string type, long exp) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{fileKey}\n{name}\n{type}\n{exp}")))[..32];
}
