using AuditService.Api;
using AuditService.Ingestion;
using AuditService.Integrity;
using AuditService.Retention;
using AuditService.Security;
using AuditService.Store;
using AuditService.Streaming;
using UserAudit.ServiceDefaults.OpenApi;
using UserAudit.ServiceDefaults.Storage;

namespace AuditService;

/// <summary>AuditService's wiring.</summary>
public static class Extensions
{
    /// <summary>
    /// Read and ingest keys, storage with its hash chain and signed checkpoints, retention, the live stream, the Kafka
    /// consumer, the dead-letter producer and the ingestion loop.
    /// </summary>
    public static void AddAuditServiceComponents(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOpenApi(options => options.AddSecuritySchemes(ApiKeyAuthentication.OpenApiSchemes));
        services.AddSingleton(TimeProvider.System);
        // Responses are written by code generated at compile time.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AuditJsonContext.Default));
        services.AddApiKeyAuthentication();
        services.AddReadLimits();

        builder.AddServiceDatabase(AuditEventStore.Schema);
        services.AddSingleton<AuditEventStore>();
        services.AddAuditIntegrity();
        services.AddAuditRetention();
        services.AddAuditEventStream();
        builder.AddAuditIngestion();
    }

    /// <summary>Both ingestion paths (Kafka and HTTP) and what they share: one writer, one set of counters.</summary>
    private static void AddAuditIngestion(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.SectionName).ValidateWith(new IngestionOptionsValidator())
            .Validate(o => o.BatchWindow >= TimeSpan.Zero, "Ingestion:BatchWindow must not be negative.")
            .Validate(o => o.MaxRetryDelay >= TimeSpan.FromMilliseconds(100), "Ingestion:MaxRetryDelay must be at least 100 ms.")
            .Validate(o => o.Topic != o.DeadLetterTopic, "Ingestion:DeadLetterTopic must differ from Ingestion:Topic.")
            .ValidateOnStart();
        services.AddSingleton<IngestionMetrics>();
        services.AddSingleton<AuditEventLog>();
        services.AddSingleton<AuditEventWriter>();
        services.AddSingleton<DeadLetterPublisher>();
        services.AddHttpIngestionLimits();

        // The consumer is configured while the host is built, before options exist: read the group
        // from the same section and class, so its default is written once.
        var ingestion = builder.Configuration.GetSection(IngestionOptions.SectionName).Get<IngestionOptions>() ?? new IngestionOptions();
        builder.AddKafkaConsumer<byte[]?, byte[]?>("kafka", settings =>
        {
            settings.Config.GroupId ??= ingestion.GroupId;
            // A replica that rejoins after another left waits about one session timeout.
            settings.Config.SessionTimeoutMs ??= 10_000;
        });
        builder.AddKeyedKafkaProducer<byte[]?, byte[]?>(DeadLetterPublisher.ProducerKey,
            settings => settings.ConnectionString ??= builder.Configuration.GetConnectionString("kafka"));
        services.AddSingleton<KafkaIngestionService>();
        services.AddSingleton<IKafkaRebalanceListener>(sp => sp.GetRequiredService<KafkaIngestionService>());
        services.AddHostedService(sp => sp.GetRequiredService<KafkaIngestionService>());
    }
}
