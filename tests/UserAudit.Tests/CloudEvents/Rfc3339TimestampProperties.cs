using System.Text;
using CloudNative.CloudEvents;
using CsCheck;
using UserAudit.CloudEvents.Core;
using Xunit;

namespace UserAudit.Tests.CloudEvents;

public class Rfc3339TimestampProperties
{
    private static readonly CloudEventAttribute Time = CloudEventsSpecVersion.V1_0.TimeAttribute;

    private static readonly Gen<DateTimeOffset> AnyPrecision =
        Gen.Select(CloudEventGenerators.Time, Gen.Int[0, 3], (time, precision) => precision switch
        {
            0 => time.AddTicks(-(time.Ticks % TimeSpan.TicksPerSecond)),
            1 => time.AddTicks(-(time.Ticks % TimeSpan.TicksPerMillisecond)),
            2 => time.AddTicks(-(time.Ticks % 10)),
            _ => time,
        });

    [Fact]
    public void Fast_timestamp_formatting_writes_exactly_what_the_sdk_writes()
    {
        AnyPrecision.Sample(time =>
            Assert.Equal(Time.Format(time), Encoding.UTF8.GetString(Rfc3339Timestamp.FormatUtf8(time))), iter: 2000);
    }

    [Fact]
    public void Fast_timestamp_parsing_reads_what_the_sdk_writes_back_to_the_same_instant_and_offset()
    {
        AnyPrecision.Sample(time =>
        {
            Assert.True(Rfc3339Timestamp.TryParse(Time.Format(time), out var parsed));
            Assert.Equal(time, parsed);
            Assert.Equal(time.Offset, parsed.Offset);
        }, iter: 2000);
    }

    [Fact]
    public void Fast_timestamp_parsing_never_accepts_what_the_sdk_rejects_or_disagrees_with_it()
    {
        var text = Gen.Select(AnyPrecision, Gen.Int[0, 32], Gen.Char["0123456789-:.TZ+ tz"], (time, index, c) =>
        {
            var formatted = Time.Format(time);
            index = Math.Min(index, formatted.Length - 1);
            return formatted[..index] + c + formatted[(index + 1)..];
        });
        text.Sample(candidate =>
        {
            if (Rfc3339Timestamp.TryParse(candidate, out var fast))
            {
                var sdk = (DateTimeOffset)Time.Parse(candidate);
                Assert.Equal(sdk, fast);
                Assert.Equal(sdk.Offset, fast.Offset);
            }
        }, iter: 5000);
    }

    [Theory]
    [InlineData("2025-02-29T00:00:00Z")]
    [InlineData("2025-01-01T24:00:00Z")]
    [InlineData("2025-01-01T00:00:00+15:00")]
    [InlineData("2025-01-01T00:00:00.Z")]
    [InlineData("2025-01-01T00:00:00.12345678Z")]
    [InlineData("2025-01-01 00:00:00Z")]
    public void Fast_timestamp_parsing_leaves_unusual_or_invalid_text_to_the_sdk(string text)
    {
        Assert.False(Rfc3339Timestamp.TryParse(text, out _));
    }
}
