namespace UserAudit.CloudEvents;

/// <summary>The <c>authtype</c> values of the Auth Context extension.</summary>
public static class AuthTypes
{
    /// <summary>An end user of the application (a user acting on itself).</summary>
    public const string AppUser = "app_user";

    /// <summary>A user account registered in the infrastructure: an operator, such as an administrator the deployment created.</summary>
    public const string User = "user";

    /// <summary>A non-user principal that identifies a service.</summary>
    public const string ServiceAccount = "service_account";

    /// <summary>A non-user API key.</summary>
    public const string ApiKey = "api_key";

    /// <summary>The system itself, with an obscured identity (for example a start-up task).</summary>
    public const string System = "system";

    /// <summary>No credentials were used (for example an open registration).</summary>
    public const string Unauthenticated = "unauthenticated";

    /// <summary>The principal could not be determined.</summary>
    public const string Unknown = "unknown";
}
