namespace UserService.Users;

/// <summary>A page of users and the cursor of the next page, if any.</summary>
public sealed record UserPage(IReadOnlyList<UserResponse> Items, string? NextCursor);
