using System.Text.Json.Serialization;

namespace AuditService.Store;

/// <summary>The JSON the store itself writes: the extensions column.</summary>
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class AuditStoreJsonContext : JsonSerializerContext;
