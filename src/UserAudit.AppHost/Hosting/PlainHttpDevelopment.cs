namespace UserAudit.AppHost.Hosting;

/// <summary>
/// Every resource of this application serves plain HTTP on loopback (a deployment terminates TLS in
/// front of the services: README, "Exposing the services"), so none needs the ASP.NET Core development
/// certificate. Aspire still prepares one for every project resource, and a machine without a trusted
/// one (any fresh machine, and Linux after <c>dotnet dev-certs https --trust</c>, which trusts it only
/// partly) then opens the dashboard on a red "No trusted development certificate" error. Declaring that
/// the resources take no certificate removes the cause rather than the message.
/// </summary>
public static class PlainHttpDevelopment
{
    /// <summary>
    /// Marks every resource that has no HTTPS endpoint as needing no HTTPS certificate. Call it once the
    /// resources are added; a resource with an HTTPS endpoint keeps Aspire's certificate handling.
    /// </summary>
    public static IDistributedApplicationBuilder WithoutDevelopmentCertificates(this IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
#pragma warning disable ASPIRECERTIFICATES001 // Aspire's certificate annotations are marked experimental in the pinned version
        foreach (var resource in builder.Resources.Where(NeedsNoCertificate))
        {
            foreach (var existing in resource.Annotations.OfType<HttpsCertificateAnnotation>().ToList())
            {
                resource.Annotations.Remove(existing);
            }

            resource.Annotations.Add(new HttpsCertificateAnnotation { Certificate = null, UseDeveloperCertificate = false });
        }
#pragma warning restore ASPIRECERTIFICATES001

        return builder;
    }

    /// <summary>Whether <paramref name="resource"/> is set up for a certificate it cannot use: no endpoint of it is HTTPS.</summary>
    public static bool NeedsNoCertificate(IResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
#pragma warning disable ASPIRECERTIFICATES001
        return resource.Annotations.OfType<HttpsCertificateConfigurationCallbackAnnotation>().Any()
            && !resource.Annotations.OfType<EndpointAnnotation>().Any(e => e.UriScheme is "https" || e.TlsEnabled);
#pragma warning restore ASPIRECERTIFICATES001
    }
}
