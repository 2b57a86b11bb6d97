using System.Text.Json;
using System.Text.Json.Serialization;

namespace UserService.Sessions;

/// <summary>Source-generated JSON for the sessions API.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(SignInRequest))]
[JsonSerializable(typeof(SessionResponse))]
internal sealed partial class SessionJsonContext : JsonSerializerContext;
