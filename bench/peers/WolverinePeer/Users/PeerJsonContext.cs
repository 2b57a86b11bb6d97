using System.Text.Json;
using System.Text.Json.Serialization;

namespace WolverinePeer.Users;

/// <summary>Source-generated JSON of the API, with UserService's settings (web defaults, unknown fields refused).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(UpdateUserRequest))]
[JsonSerializable(typeof(UserResponse))]
internal sealed partial class PeerJsonContext : JsonSerializerContext;
