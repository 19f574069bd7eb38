using System.Security.Cryptography;
using System.Text;
using GitpleLive.Server.Hosting;

namespace GitpleLive.Server.Services;

/// <summary>The server's file-link key, kept in the data folder so links survive restarts.</summary>
public sealed class FileUrlKey
{
    private readonly byte[] _key;

    public FileUrlKey(ChatServerOptions options)
    {
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
