using System.Text.Json;
using System.Text.Json.Serialization;

namespace UserService.Users;

/// <summary>Source-generated JSON for the API's own types.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CreateUserRequest))]
[JsonSerializable(typeof(UpdateUserRequest))]
[JsonSerializable(typeof(UserResponse))]
[JsonSerializable(typeof(UserPage))]
internal sealed partial class UserJsonContext : JsonSerializerContext;
