using System.Net;

namespace GitpleLive.Server.Realtime;

/// <summary>The remote end point of a connection, carrying the connection so MQTTnet's events lead back to it.</summary>
internal sealed class ConnectionEndPoint(RealtimeConnection connection, IPAddress address, int port) : IPEndPoint(address, port)
{
    public RealtimeConnection Connection { get; } = connection;
}
