namespace UserAudit.Tests.Faults;

/// <summary>One generated request: an HTTP message built on demand, or raw bytes for a socket.</summary>
/// <param name="Number">Position in the generated sequence.</param>
/// <param name="Service">Which service it targets.</param>
/// <param name="Category">What kind of wrongness it exercises.</param>
/// <param name="Description">What exactly is wrong with it.</param>
/// <param name="Http">Builds the request message (HttpClient can send it).</param>
/// <param name="Raw">Builds the bytes (HttpClient refuses to send them).</param>
/// <param name="ProblemJson">Whether the answer is the application's, so a ProblemDetails.</param>
/// <param name="ExactStatus">The only right status, when one 4xx is prescribed.</param>
internal sealed record HostileRequest(
    int Number, string Service, string Category, string Description,
    Func<HttpRequestMessage>? Http, RawRequest? Raw, bool ProblemJson, int? ExactStatus = null);
