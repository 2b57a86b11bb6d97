using Aspire.Hosting;
using UserAudit.AppHost.Hosting;
using UserAudit.Tests.EndToEnd;
using UserAudit.Tests.Infrastructure;
using Xunit;

namespace UserAudit.Tests.Edge;

/// <summary>
/// A first run on a fresh machine (no trusted development certificate, as here) opens the dashboard
/// without Aspire's red "No trusted development certificate" error: nothing asks for a certificate.
/// And once everything is up, one line says so and where to go.
/// </summary>
public sealed class FirstRunTests(UserAuditApp app)
{
    [Fact]
    public void The_running_application_never_warned_about_a_development_certificate()
    {
        // Aspire logs this warning, and shows the dashboard's error banner, only when a resource uses TLS.
        Assert.DoesNotContain(app.Logs, line => line.Contains("development certificate", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(app.Logs, line => line.StartsWith("user-service: ", StringComparison.Ordinal)); // the capture works
    }

    [Fact]
    public async Task Once_every_resource_is_healthy_the_app_host_logs_one_line_with_the_addresses_to_open()
    {
        var ready = await Eventually.GetAsync(
            _ => Task.FromResult(app.Logs.SingleOrDefault(line => line.StartsWith("apphost: UserAudit is ready.", StringComparison.Ordinal))),
            "the AppHost's ready line", cancellationToken: TestContext.Current.CancellationToken);

        var (users, audit) = (app.Users.BaseAddress!.ToString().TrimEnd('/'), app.Audit.BaseAddress!.ToString().TrimEnd('/'));
        Assert.Contains($"Audit trail: {audit}/trail/ ", ready, StringComparison.Ordinal);
        Assert.Contains($"UserService: {users};", ready, StringComparison.Ordinal);
        Assert.Contains($"AuditService: {audit};", ready, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_resource_of_the_app_host_takes_no_certificate()
    {
        var builder = DistributedApplication.CreateBuilder(["--environment", "Development", "--Kafka:Mode=embedded"]);
        builder.AddProject<Projects.UserService>("user-service", project => project.ExcludeLaunchProfile = true).WithHttpEndpoint();
        var secure = builder.AddProject<Projects.AuditService>("secure", project => project.ExcludeLaunchProfile = true).WithHttpsEndpoint();
        Assert.Contains(builder.Resources, PlainHttpDevelopment.NeedsNoCertificate); // Aspire prepares a certificate for every project

        builder.WithoutDevelopmentCertificates();

        Assert.DoesNotContain(builder.Resources, r => PlainHttpDevelopment.NeedsNoCertificate(r) && !TakesNone(r));
        Assert.False(TakesNone(secure.Resource)); // an HTTPS endpoint keeps its certificate
    }

#pragma warning disable ASPIRECERTIFICATES001
    private static bool TakesNone(Aspire.Hosting.ApplicationModel.IResource resource) =>
        resource.Annotations.OfType<Aspire.Hosting.ApplicationModel.HttpsCertificateAnnotation>().LastOrDefault() is { UseDeveloperCertificate: false, Certificate: null };
#pragma warning restore ASPIRECERTIFICATES001
}
