using System.Diagnostics;
using System.Net.Mime;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;
using UserAudit.CloudEvents;
using UserAudit.CloudEvents.Kafka;

namespace UserAudit.Benchmarks;

/// <summary>
/// Encode + decode of one typical user event. The baseline is the CloudEvents SDK's JSON event
/// format alone (structured encode and decode, no Kafka message); the binding's modes include
/// building and reading the Kafka message, and binary mode encodes and decodes the JSON data too.
/// </summary>
[MemoryDiagnoser]
public class CloudEventCodecBenchmarks
{
    private readonly JsonEventFormatter formatter = new();
    private readonly CloudEventAttribute[] extensions = [.. DistributedTracingExtension.AllAttributes];
    private CloudEvent userCreated = null!;
    private string key = null!;

    [GlobalSetup]
    public void Setup()
    {
        var userId = Guid.NewGuid();
        key = userId.ToString();
        userCreated = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Source = new Uri("/user-service", UriKind.RelativeOrAbsolute),
            Type = "com.example.useraudit.user.created.v1",
            Subject = userId.ToString(),
            Time = DateTimeOffset.UtcNow,
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToElement(new { id = userId }),
        };
        userCreated.SetTraceContext(new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded));
    }

    [Benchmark(Baseline = true, Description = "SDK JSON structured (no Kafka)")]
    public CloudEvent JsonFormatterStructured()
    {
        var body = formatter.EncodeStructuredModeMessage(userCreated, out ContentType contentType);
        return formatter.DecodeStructuredModeMessage(body, contentType, extensions);
    }

    [Benchmark(Description = "Kafka binary mode")]
    public CloudEvent KafkaBinary() =>
        userCreated.ToKafkaMessage(ContentMode.Binary, formatter, key).ToCloudEvent(formatter, extensions);

    [Benchmark(Description = "Kafka structured mode")]
    public CloudEvent KafkaStructured() =>
        userCreated.ToKafkaMessage(ContentMode.Structured, formatter, key).ToCloudEvent(formatter, extensions);
}
