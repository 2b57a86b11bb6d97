using Microsoft.Extensions.Configuration;
using UserAudit.AppHost;
using UserAudit.AppHost.Hosting;
using UserAudit.AppHost.Kafka;
using UserAudit.AppHost.Parameters;
using UserAudit.AppHost.Postgres;
using UserAudit.ServiceDefaults.Kafka;

var builder = DistributedApplication.CreateBuilder(args);

// One connection string shape (bootstrap servers) whatever runs Kafka: container, embedded or external.
var kafka = builder.AddKafkaForMode<Projects.UserAudit_KafkaBroker>("kafka",
    new KafkaTopic(AuditTopics.Audit, Partitions: 3),
    new KafkaTopic(AuditTopics.DeadLetter, Partitions: 1));

// Each service owns its embedded database, in a folder of its own under the data root.
var dataRoot = Path.GetFullPath(builder.Configuration["UserAudit:DataRoot"]
    ?? Path.Combine(builder.AppHostDirectory, "..", "..", ".data"));

// Storage:Provider: sqlite (each service's own file under the data root) or postgres (each
// service's own database on one PostgreSQL server: container, this machine's binaries, or external).
var storageProvider = (builder.Configuration["Storage:Provider"] ?? "sqlite").Trim().ToLowerInvariant();
if (storageProvider is not ("sqlite" or "postgres"))
{
    throw new InvalidOperationException($"Storage:Provider '{storageProvider}' is not one of sqlite, postgres.");
}

var postgres = storageProvider == "postgres" ? builder.AddPostgresForMode("postgres", dataRoot) : null;

// Secrets are generated once and kept in user secrets, so `dotnet run` needs no setup: AuditService's
// read key (audit-api-key), the key its checkpoints are signed with, UserService's idempotency key,
// and an ingest key per HTTP sender listed under AuditService:IngestKeys (name -> sources it may write).
IResourceBuilder<ParameterResource> Secret(string name) =>
    builder.AddParameter(name, new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
var auditApiKey = Secret("audit-api-key");
var checkpointKey = Secret("audit-checkpoint-key");
var idempotencyKey = Secret("user-service-idempotency-key");

// UserService signs access tokens with this key; the first administrator is created from the
// next two. All generated once and kept in user secrets, like the API key.
var tokenSigningKey = builder.AddParameter("user-token-signing-key",
    new GenerateParameterDefault { MinLength = 64, Special = false }, secret: true, persist: true);
var adminId = builder.AddParameter("admin-id", new UuidParameterDefault(), persist: true);
var adminPassword = builder.AddParameter("admin-password",
    new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);

var userService = builder.AddProject<Projects.UserService>("user-service", project => project.ExcludeLaunchProfile = true)
    .WithHttpEndpoint(port: builder.Configuration.GetValue<int?>("UserService:Port"), env: "ASPNETCORE_HTTP_PORTS");
userService
    // Events name their JSON Schema by a URL that resolves: UserService serves the catalog's schemas.
    .WithEnvironment("Events__SchemaBaseUri", ReferenceExpression.Create($"{userService.GetEndpoint("http")}/v1/schemas/"))
    .WithEnvironment(DataDirectory(Path.Combine(dataRoot, "user-service")))
    .WithEnvironment("Events__Topic", AuditTopics.Audit)
    .WithEnvironment("Auth__SigningKey", tokenSigningKey)
    .WithEnvironment("Auth__BootstrapAdmin__Id", adminId)
    .WithEnvironment("Auth__BootstrapAdmin__Password", adminPassword)
    .WithEnvironment("Idempotency__RequestHashKey", idempotencyKey)
    .WithKafkaReference(kafka)
    .WithHttpHealthCheck("/health");

var auditService = builder.AddProject<Projects.AuditService>("audit-service", project => project.ExcludeLaunchProfile = true)
    .WithHttpEndpoint(port: builder.Configuration.GetValue<int?>("AuditService:Port"), env: "ASPNETCORE_HTTP_PORTS")
    .WithEnvironment(DataDirectory(Path.Combine(dataRoot, "audit-service")))
    .WithEnvironment("Ingestion__Topic", AuditTopics.Audit)
    .WithEnvironment("Ingestion__DeadLetterTopic", AuditTopics.DeadLetter)
    .WithEnvironment("Auth__ReadKeys__apphost", auditApiKey)
    .WithEnvironment("Integrity__CheckpointKey", checkpointKey)
    .WithKafkaReference(kafka)
    .WithHttpHealthCheck("/health");
foreach (var sender in builder.Configuration.GetSection("AuditService:IngestKeys").GetChildren())
{
    var sources = sender.Get<string[]>() ?? [];
    auditService.WithEnvironment($"Auth__IngestKeys__{sender.Key}__Key", Secret($"audit-ingest-key-{sender.Key}"));
    for (var i = 0; i < sources.Length; i++)
    {
        auditService.WithEnvironment($"Auth__IngestKeys__{sender.Key}__Sources__{i}", sources[i]);
    }
}

if (postgres is not null)
{
    userService.WithPostgresStorage(postgres);
    auditService.WithPostgresStorage(postgres);
}

// The services' memory, set where they start, as a deployment sets it likewise:
// - glibc gives every thread that allocates natively (SQLite, librdkafka, OpenSSL) an arena of its
//   own, up to eight per core, and each arena keeps what it once held. Two arenas keep each service
//   10-15 MiB lower at the same rate (docs/benchmarks.md, "Memory").
// - .NET sizes a service's youngest generation from the L3 cache the CPU reports, and virtual
//   machines report the whole host's (300 MiB on the benchmark machine): each service then allocates
//   about 80 MiB between two collections. UserAudit:GCGen0SizeMiB pins it (32 by default; 0 leaves
//   it to the runtime). A container with a memory limit bounds it by that limit instead.
var gen0SizeMiB = builder.Configuration.GetValue("UserAudit:GCGen0SizeMiB", 32);
if (gen0SizeMiB is < 0 or > 1024)
{
    throw new InvalidOperationException($"UserAudit:GCGen0SizeMiB must be from 0 to 1024, not {gen0SizeMiB}.");
}

foreach (var service in (IResourceBuilder<ProjectResource>[])[userService, auditService])
{
    service.WithEnvironment("MALLOC_ARENA_MAX", "2");
    if (gen0SizeMiB > 0)
    {
        // The runtime reads this one from the environment only, in hexadecimal bytes.
        service.WithEnvironment("DOTNET_GCgen0size", ((long)gen0SizeMiB << 20).ToString("x", System.Globalization.CultureInfo.InvariantCulture));
    }
}

// Run mode (`dotnet run`, tests): the services run in the AppHost's environment, Development by
// default, where ServiceDefaults binds them to loopback only. A deployment sets its own environment.
if (builder.ExecutionContext.IsRunMode)
{
    foreach (var service in (IResourceBuilder<ProjectResource>[])[userService, auditService])
    {
        service.WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName);
    }
}

// Telemetry volume. By default (development) every request is traced and AuditService logs every
// event it stores. A busy deployment or a load run samples traces (parent-based, so a trace is kept
// or dropped whole across both services) and turns the per-event log line off.
if (builder.Configuration["UserAudit:TraceSampleRatio"] is { } sampleRatio)
{
    if (!double.TryParse(sampleRatio, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ratio) || ratio is < 0 or > 1)
    {
        throw new InvalidOperationException($"UserAudit:TraceSampleRatio must be a number from 0 to 1, not '{sampleRatio}'.");
    }

    foreach (var service in (IResourceBuilder<ProjectResource>[])[userService, auditService])
    {
        service.WithEnvironment("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
            .WithEnvironment("OTEL_TRACES_SAMPLER_ARG", ratio.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

// UserService:Auth:* settings (rate limits, lockout, token lifetime) pass through as Auth:*,
// AuditService:Stream:* (the live stream's page size, recheck interval, open streams) as Stream:*,
// and AuditService:Read:* (the read API's page budget and concurrency limits) as Read:*.
PassThrough(userService, "UserService:Auth", "Auth");
PassThrough(auditService, "AuditService:Stream", "Stream");
PassThrough(auditService, "AuditService:Read", "Read");

void PassThrough(IResourceBuilder<ProjectResource> service, string section, string serviceSection)
{
    foreach (var (key, value) in builder.Configuration.GetSection(section).AsEnumerable(makePathsRelative: true))
    {
        if (value is not null)
        {
            service.WithEnvironment(serviceSection + "__" + key.Replace(":", "__", StringComparison.Ordinal), value);
        }
    }
}

if (!builder.Configuration.GetValue("UserAudit:LogEachEvent", true))
{
    auditService.WithEnvironment("Logging__LogLevel__AuditService.Events", "Warning");
}

// Replicas share one consumer group (they split the partitions) and one database file (the
// (source, id) constraint dedupes across them). The endpoint sets only the proxy's port, so each
// replica gets a port of its own behind it.
var auditReplicas = builder.Configuration.GetValue("AuditService:Replicas", 1);
if (auditReplicas > 1)
{
    auditService.WithReplicas(auditReplicas);
}

// UserService replicas share one PostgreSQL: any replica takes any request, and one of them at a
// time (the holder of the relay lease) publishes the outbox. SQLite's file belongs to one process.
var userReplicas = builder.Configuration.GetValue("UserService:Replicas", 1);
if (userReplicas > 1)
{
    if (postgres is null)
    {
        throw new InvalidOperationException(
            $"UserService:Replicas is {userReplicas}, but replicas need a shared database: add --Storage:Provider=postgres, or run one replica on SQLite.");
    }

    userService.WithReplicas(userReplicas);
}

// Everything here is plain HTTP on loopback: no development certificate is needed, or asked for.
builder.WithoutDevelopmentCertificates();

// One line once everything is healthy, with the addresses to open.
builder.AnnounceWhenHealthy(userService, auditService);

// A second `dotnet run` beside a running one stops here, with one line naming the ports it needs.
if (PortPreflight.Check(builder) is { } portsTaken)
{
    Console.Error.WriteLine(portsTaken);
    return 1;
}

builder.Build().Run();
return 0;

// A service's folder under the data root, in run mode only: the path is this machine's, and a
// published deployment mounts storage of its own (the services default to data/ in their folder).
static Action<EnvironmentCallbackContext> DataDirectory(string folder) => context =>
{
    if (context.ExecutionContext.IsRunMode)
    {
        context.EnvironmentVariables["Storage__DataDirectory"] = folder;
    }
};
