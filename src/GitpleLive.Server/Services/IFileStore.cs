namespace GitpleLive.Server.Services;

/// <summary>The file seam: where uploaded bytes live. Local folder by default.</summary>
public interface IFileStore
{
    /// <summary>Stores the stream under <paramref name="key"/>, refusing more than <paramref name="maxBytes"/>; returns the size, or -1
    /// when too large (nothing kept).</summary>
    Task<long> SaveAsync(string key, Stream content, long maxBytes, CancellationToken cancellationToken = default);
    Stream? OpenRead(string key);
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}
