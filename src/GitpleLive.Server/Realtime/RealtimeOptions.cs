namespace GitpleLive.Server.Realtime;

/// <summary>
/// Settings of the embedded MQTT broker, bound from the <c>GitpleLive:Realtime</c> configuration section.
/// </summary>
public sealed class RealtimeOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string Section = "GitpleLive:Realtime";

    /// <summary>Path of the MQTT-over-WebSocket endpoint. Default <c>/ws</c> (PROTOCOL §1).</summary>
    public string Path { get; set; } = "/ws";

    /// <summary>
    /// Most event packets a connection may have waiting to be written. A subscriber that falls this far
    /// behind is disconnected so it never delays anyone else. Default 4096.
    /// </summary>
    public int MaxQueuedPackets { get; set; } = 4096;

    /// <summary>Most bytes a connection may have waiting to be written (see <see cref="MaxQueuedPackets"/>). Default 4 MiB.</summary>
    public int MaxQueuedBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Largest WebSocket message the writer builds when several packets are waiting; packets are then
    /// coalesced, which MQTT over WebSocket allows [MQTT-6.0.0-2]. Default 32 KiB; 0 writes one packet per message.
    /// </summary>
    public int MaxWriteBatchBytes { get; set; } = 32 * 1024;

    /// <summary>
    /// How long a connection may stay blocked on a write while packets wait before it is treated as
    /// stuck and disconnected. Default 30 seconds.
    /// </summary>
    public TimeSpan WriteStallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether a CONNECT restores the subscriptions the user is entitled to (own user topic, joined channels' <c>all</c>,
    /// managed channels' <c>manager</c>), for clients that reconnect without subscribing again (the Android SDK).
    /// Default true (PROTOCOL §9).
    /// </summary>
    public bool RestoreSubscriptionsOnConnect { get; set; } = true;

    /// <summary>Time allowed for the CONNECT packet after the WebSocket opens, and for closing. Default 10 seconds.</summary>
    public TimeSpan CommunicationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Time a client has, once the WebSocket is open, to send its whole CONNECT packet; then it is dropped.
    /// Clients send CONNECT right after the upgrade, so a few seconds cover slow networks. Default 5 seconds.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Largest packet a client may send before its CONNECT has arrived (the CONNECT itself, with its token).
    /// A larger one is refused on its length field alone, before anything is buffered. Default 16 KiB.
    /// </summary>
    public int MaxConnectPacketSize { get; set; } = 16 * 1024;

    /// <summary>Largest packet a connected client may send (SUBSCRIBE with many filters, …). Default 1 MiB.</summary>
    public int MaxPacketSize { get; set; } = 1024 * 1024;
}
