using System.Text.Json;
using System.Text.Json.Serialization;

namespace UserAudit.LoadTest.Load;

/// <summary>JSON of the requests and of the result files.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(UserChange))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(LoadResult))]
[JsonSerializable(typeof(SoakResult))]
[JsonSerializable(typeof(Benchmarks.BaselineUser))]
[JsonSerializable(typeof(Benchmarks.DrainResult))]
[JsonSerializable(typeof(Benchmarks.RenameBenchmarkResult))]
[JsonSerializable(typeof(Benchmarks.CreateBenchmarkResult))]
[JsonSerializable(typeof(Benchmarks.PeerComparisonResult))]
internal sealed partial class LoadJsonContext : JsonSerializerContext;
