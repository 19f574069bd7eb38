using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace GitpleLive.Realtime.Tests;

/// <summary>
/// What a client sends that MQTT 3.1.1 says a server must close the connection for, checked on the raw bytes:
/// malformed strings, reserved bits, oversized packets before CONNECT, and a client that never sends CONNECT.
/// </summary>
public sealed class MqttInputTests(RealtimeServer server) : IClassFixture<RealtimeServer>
{
    private const string App = RealtimeServer.AppId;
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(3);

    private async Task<(RawMqttClient Client, string Topic)> ConnectedAsync()
    {
        var (user, token) = await server.NewUserAsync();
        var client = await RawMqttClient.OpenAsync(server.Port);
        await client.ConnectAsync(RealtimeServer.ClientIdOf(App, user), user, token);
        return (client, Topics.User(App, user));
    }

    [Fact]
    public async Task Client_id_that_is_not_utf8_closes_the_connection_without_connack()
    {
        var (user, token) = await server.NewUserAsync();
        byte[] good = Encoding.UTF8.GetBytes(RealtimeServer.ClientIdOf(App, user));
        // The same id, well-formed, is accepted: the refusal below is the encoding's.
        await using (var ok = await RawMqttClient.OpenAsync(server.Port))
        {
            await ok.SendMqttAsync(0x10, RawMqttClient.ConnectBody(good, user, token));
            Assert.Equal(0x20, (await ok.ReadPacketAsync())[0]);
        }
        foreach (var bad in new byte[][] { [0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0x00] })
        {
            await using var client = await RawMqttClient.OpenAsync(server.Port);
            await client.SendMqttAsync(0x10, RawMqttClient.ConnectBody([.. good, (byte)':', (byte)':', .. bad], user, token));
            Assert.True(await client.NoPacketThenClosedAsync(Soon), $"client id ending {Convert.ToHexString(bad)} was not refused");
        }
    }

    [Fact]
    public async Task Subscribe_with_qos_3_closes_the_connection()
    {
        var (client, topic) = await ConnectedAsync();
        await using var _ = client;
        Assert.Equal(0, await client.SubscribeAsync(topic, options: 1)); // QoS 1 asked, QoS 0 granted: fine
        await client.SendMqttAsync(0x82, [0, 2, .. Str(topic), 3]);
        Assert.True(await client.NoPacketThenClosedAsync(Soon));
    }

    [Fact]
    public async Task Subscribe_with_reserved_option_bits_closes_the_connection()
    {
        var (client, topic) = await ConnectedAsync();
        await using var _ = client;
        await client.SendMqttAsync(0x82, [0, 2, .. Str(topic), 0x04]);
        Assert.True(await client.NoPacketThenClosedAsync(Soon));
    }

    [Theory]
    [InlineData(0x80)]
    [InlineData(0x83)]
    [InlineData(0x8A)]
    public async Task Subscribe_with_wrong_fixed_header_flags_closes_the_connection(int header)
    {
        var (client, topic) = await ConnectedAsync();
        await using var _ = client;
        await client.SendMqttAsync((byte)header, [0, 2, .. Str(topic), 0]);
        Assert.True(await client.NoPacketThenClosedAsync(Soon));
    }

    [Fact]
    public async Task A_well_formed_session_stays_open()
    {
        var (client, topic) = await ConnectedAsync();
        await using var _ = client;
        Assert.Equal(0, await client.SubscribeAsync(topic));
        await client.SendMqttAsync(0xC0, []); // PINGREQ
        Assert.Equal(0xD0, (await client.ReadPacketAsync())[0]);
        Assert.False(await client.ClosedWithinAsync(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task Huge_first_packet_is_refused_on_its_length_alone()
    {
        await using var client = await RawMqttClient.OpenAsync(server.Port);
        // A WebSocket frame announcing 200 MB, of which only the MQTT fixed header is sent: CONNECT, 200,000,000 bytes.
        const long announced = 200_000_000;
        var mqtt = new List<byte> { 0x10 };
        for (var left = announced; left > 0; left /= 128) mqtt.Add((byte)((int)(left % 128) | (left >= 128 ? 0x80 : 0)));
        var frame = new List<byte> { 0x82, 0x80 | 127 };
        for (var shift = 56; shift >= 0; shift -= 8) frame.Add((byte)(announced >> shift));
        var mask = RandomNumberGenerator.GetBytes(4);
        frame.AddRange(mask);
        for (var i = 0; i < mqtt.Count; i++) frame.Add((byte)(mqtt[i] ^ mask[i % 4]));
        var watch = Stopwatch.StartNew();
        await client.SendRawAsync([.. frame]);
        Assert.True(await client.NoPacketThenClosedAsync(Soon), "the server waited for the body");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"closed after {watch.Elapsed}");
    }

    [Fact]
    public async Task Connect_over_the_pre_connect_limit_is_refused()
    {
        var (user, token) = await server.NewUserAsync();
        await using var client = await RawMqttClient.OpenAsync(server.Port);
        var padded = token + new string('x', 20_000); // a 20 KB password: over 16 KiB
        await client.SendMqttAsync(0x10, RawMqttClient.ConnectBody(Encoding.UTF8.GetBytes(RealtimeServer.ClientIdOf(App, user)), user, padded));
        Assert.True(await client.NoPacketThenClosedAsync(Soon));
    }

    [Fact]
    public async Task A_client_that_sends_no_connect_is_dropped_after_the_connect_timeout()
    {
        await using var client = await RawMqttClient.OpenAsync(server.Port);
        var watch = Stopwatch.StartNew();
        Assert.True(await client.ClosedWithinAsync(TimeSpan.FromSeconds(9)), "still open after 9 s");
        Assert.InRange(watch.Elapsed.TotalSeconds, 4, 7.5); // the 5 s default
    }

    private static byte[] Str(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        return [(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes];
    }
}
