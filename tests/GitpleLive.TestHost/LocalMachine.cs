using System.Net;
using System.Net.Sockets;

namespace GitpleLive.TestHost;

/// <summary>What tests that start programs of their own (nginx, redis-server, a server process) need of this machine.</summary>
public static class LocalMachine
{
    /// <summary>A loopback port free at the moment of asking.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The full path of a program on PATH or in the sbin folders (where Debian puts nginx); null when absent.</summary>
    public static string? FindProgram(string name) =>
        ((Environment.GetEnvironmentVariable("PATH") ?? "") + ":/usr/sbin:/usr/local/sbin").Split(Path.PathSeparator)
            .Where(d => d.Length > 0)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
}
