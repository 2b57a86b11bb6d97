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
    private readonly JsonEventFormatter _formatter = new();
    private readonly CloudEventAttribute[] _extensions = [.. DistributedTracingExtension.AllAttributes];
    private CloudEvent _userCreated = null!;
    private string _key = null!;

    [GlobalSetup]
    public void Setup()
    {
        var userId = Guid.NewGuid();
        _key = userId.ToString();
        _userCreated = new CloudEvent
        {
            Id = Guid.NewGuid().ToString(),
            Source = new Uri("/user-service", UriKind.RelativeOrAbsolute),
            Type = "com.example.useraudit.user.created.v1",
            Subject = userId.ToString(),
            Time = DateTimeOffset.UtcNow,
            DataContentType = "application/json",
            Data = JsonSerializer.SerializeToElement(new { id = userId }),
        };
        _userCreated.SetTraceContext(new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded));
    }

    [Benchmark(Baseline = true, Description = "SDK JSON structured (no Kafka)")]
    public CloudEvent JsonFormatterStructured()
    {
        var body = _formatter.EncodeStructuredModeMessage(_userCreated, out ContentType contentType);
        return _formatter.DecodeStructuredModeMessage(body, contentType, _extensions);
    }

    [Benchmark(Description = "Kafka binary mode")]
    public CloudEvent KafkaBinary() =>
        _userCreated.ToKafkaMessage(ContentMode.Binary, _formatter, _key).ToCloudEvent(_formatter, _extensions);

    // CloudEventJson.Formatter: the SDK's with a short way through application/json data, which the services use.
    [Benchmark(Description = "Kafka binary mode, services' formatter")]
    public CloudEvent KafkaBinaryServicesFormatter() =>
        _userCreated.ToKafkaMessage(ContentMode.Binary, CloudEventJson.Formatter, _key).ToCloudEvent(CloudEventJson.Formatter, _extensions);

    [Benchmark(Description = "Kafka structured mode")]
    public CloudEvent KafkaStructured() =>
        _userCreated.ToKafkaMessage(ContentMode.Structured, _formatter, _key).ToCloudEvent(_formatter, _extensions);
}
