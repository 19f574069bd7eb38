using System.Diagnostics;
using System.Text;
using GitpleLive.Bench.Mqtt;
using GitpleLive.Bench.Scenarios;
using Xunit;

namespace GitpleLive.Bench.Tests;

public sealed class LeanMqttTests
{
    [Fact]
    public void ConnectFrameIsMqtt311WithCredentials()
    {
        var frame = MqttFrames.Connect("app::u1::bench::1::127.0.0.1", "u1", "secret", 30);
        Assert.Equal(0x10, frame[0]);
        Assert.True(MqttFrames.TryReadHeader(frame, out int header, out int body));
        Assert.Equal(frame.Length, header + body);
        var rest = frame.AsSpan(header);
        Assert.Equal("MQTT", Encoding.ASCII.GetString(rest.Slice(2, 4)));
        Assert.Equal(4, rest[6]);            // protocol level 3.1.1
        Assert.Equal(0xC2, rest[7]);         // user name, password, clean session
        Assert.Equal(30, (rest[8] << 8) | rest[9]);
    }

    [Fact]
    public void PublishFrameRoundTripsThroughHeaderReader()
    {
        var payload = new byte[300];
        var frame = MqttFrames.PublishQos0("a/b/c"u8, payload);
        Assert.True(MqttFrames.TryReadHeader(frame, out int header, out int body));
        Assert.Equal(3, header);             // 307 needs two length bytes
        Assert.Equal(2 + 5 + 300, body);
        Assert.False(MqttFrames.TryReadHeader(frame.AsSpan(0, 2), out _, out _));
    }

    [Fact]
    public void MarkerSurvivesJsonAndIsFoundInPayload()
    {
        var template = PayloadTemplate.FromString("{\"message\":{\"content\":\"" + Marker.PlaceholderContent(100) + "\"}}");
        long now = Stopwatch.GetTimestamp();
        var bytes = template.Build(7, 123456, now);
        Assert.True(Marker.TryRead(bytes, out int step, out long at));
        Assert.Equal(7, step);
        Assert.Equal(now, at);
        Assert.False(Marker.TryRead("{\"category\":\"user_update\"}"u8, out _, out _));
    }
}
