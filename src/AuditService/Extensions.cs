using AuditService.Ingestion;
using AuditService.Retention;
using AuditService.Security;
using AuditService.Store;
using Confluent.Kafka;
using Microsoft.Extensions.Options;
using UserAudit.ServiceDefaults.Kafka;
using UserAudit.ServiceDefaults.Storage;

namespace AuditService;

/// <summary>AuditService's wiring.</summary>
public static class Extensions
{
    /// <summary>API key authentication, storage, retention, the Kafka consumer, the dead-letter producer and the ingestion loop.</summary>
    public static void AddAuditServiceComponents(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddOpenApi();
        services.AddSingleton(TimeProvider.System);
        services.AddApiKeyAuthentication();

        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => o.BatchWindow > TimeSpan.Zero, "Ingestion:BatchWindow must be positive.")
            .Validate(o => o.Topic != o.DeadLetterTopic, "Ingestion:DeadLetterTopic must differ from Ingestion:Topic.")
            .ValidateOnStart();

        services.AddSingleton(sp => new SqliteDatabase(sp.GetRequiredService<IOptions<StorageOptions>>().Value, "audit.db"));
        services.AddHostedService<DatabaseMigrator>();
        services.AddSingleton<AuditEventStore>();
        services.AddSingleton<AuditEventLog>();
        services.AddAuditRetention();

        var groupId = builder.Configuration[$"{IngestionOptions.SectionName}:GroupId"] ?? "audit";
        builder.AddKafkaConsumer<byte[]?, byte[]?>("kafka", settings =>
        {
            settings.Config.GroupId ??= groupId;
            // A replica that rejoins after another left waits about one session timeout.
            settings.Config.SessionTimeoutMs ??= 10_000;
        });
        // Same cluster, its own producer: dead letters must not queue behind anything else.
        builder.AddKeyedKafkaProducer<byte[]?, byte[]?>(KafkaIngestionService.DeadLetterProducerKey,
            settings => settings.ConnectionString ??= builder.Configuration.GetConnectionString("kafka"));
        services.AddSingleton<KafkaIngestionService>();
        services.AddSingleton<IKafkaRebalanceListener>(sp => sp.GetRequiredService<KafkaIngestionService>());
        services.AddHostedService(sp => sp.GetRequiredService<KafkaIngestionService>());
    }

    /// <summary>Creates and migrates the database before anything serves.</summary>
    private sealed class DatabaseMigrator(SqliteDatabase database) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(AuditEventStore.Migrations, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
