using System.Diagnostics;
using CloudNative.CloudEvents;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Kafka;
using Xunit;
using static UserAudit.Tests.CloudEvents.CloudEventSamples;

namespace UserAudit.Tests.CloudEvents;

public class DistributedTracingExtensionTests
{
    private static ActivityContext NewContext(string? traceState) =>
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, traceState);

    [Fact]
    public void Set_trace_context_writes_a_w3c_traceparent_and_the_tracestate()
    {
        var context = NewContext("vendor=abc");

        var cloudEvent = UserCreated().SetTraceContext(context);

        Assert.Equal($"00-{context.TraceId.ToHexString()}-{context.SpanId.ToHexString()}-01", cloudEvent[DistributedTracingExtension.TraceParent]);
        Assert.Equal("vendor=abc", cloudEvent[DistributedTracingExtension.TraceState]);
    }

    [Fact]
    public void Set_trace_context_leaves_out_an_empty_tracestate()
    {
        var cloudEvent = UserCreated().SetTraceContext(NewContext("a=1")).SetTraceContext(NewContext(null));

        Assert.Null(cloudEvent[DistributedTracingExtension.TraceState]);
        Assert.NotNull(cloudEvent[DistributedTracingExtension.TraceParent]);
    }

    [Fact]
    public void Default_context_removes_the_trace_attributes()
    {
        var cloudEvent = UserCreated().SetTraceContext(NewContext("a=1")).SetTraceContext(default);

        Assert.Null(cloudEvent["traceparent"]);
        Assert.Null(cloudEvent["tracestate"]);
        Assert.False(cloudEvent.TryGetTraceContext(out _));
    }

    [Fact]
    public void Malformed_traceparent_gives_no_trace_context()
    {
        var cloudEvent = UserCreated();
        cloudEvent[DistributedTracingExtension.TraceParent] = "00-not-a-trace";

        Assert.False(cloudEvent.TryGetTraceContext(out var context));
        Assert.Equal(default, context);
    }

    [Theory]
    [InlineData(ContentMode.Binary)]
    [InlineData(ContentMode.Structured)]
    public void Traceparent_and_tracestate_survive_both_kafka_content_modes(ContentMode mode)
    {
        var context = NewContext("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
        var cloudEvent = UserCreated().SetTraceContext(context);

        var decoded = cloudEvent.ToKafkaMessage(mode, Formatter).ToCloudEvent(Formatter, DistributedTracingExtension.AllAttributes);

        Assert.True(decoded.TryGetTraceContext(out var received));
        Assert.Equal(context.TraceId, received.TraceId);
        Assert.Equal(context.SpanId, received.SpanId);
        Assert.Equal(context.TraceFlags, received.TraceFlags);
        Assert.Equal(context.TraceState, received.TraceState);
        Assert.True(received.IsRemote);
    }

    [Fact]
    public void Binary_mode_carries_the_trace_context_as_ce_traceparent_and_ce_tracestate_headers()
    {
        var cloudEvent = UserCreated().SetTraceContext(NewContext("k=v"));

        var message = cloudEvent.ToKafkaMessage(ContentMode.Binary, Formatter);

        Assert.Equal(cloudEvent["traceparent"], HeaderText(message.Headers, CloudEventKafkaHeaders.TraceParent));
        Assert.Equal("k=v", HeaderText(message.Headers, CloudEventKafkaHeaders.TraceState));
    }
}
