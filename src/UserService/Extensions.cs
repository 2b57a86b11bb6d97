using Microsoft.Extensions.Options;
using UserAudit.ServiceDefaults.Kafka;
using UserAudit.ServiceDefaults.Storage;
using UserService.Events;
using UserService.Outbox;
using UserService.Users;

namespace UserService;

/// <summary>UserService's wiring.</summary>
public static class Extensions
{
    /// <summary>Storage, password hashing, the outbox relay and the Kafka producer.</summary>
    public static void AddUserServiceComponents(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddOpenApi();
        services.AddSingleton(TimeProvider.System);

        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EventOptions>().BindConfiguration(EventOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.SectionName).ValidateDataAnnotations()
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.MaxBackoff > TimeSpan.Zero && o.DeliveredRetention > TimeSpan.Zero,
                "Outbox:PollInterval, MaxBackoff and DeliveredRetention must be positive.").ValidateOnStart();
        services.AddOptions<PasswordOptions>().BindConfiguration(PasswordOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(sp => new SqliteDatabase(sp.GetRequiredService<IOptions<StorageOptions>>().Value, "users.db"));
        services.AddHostedService<DatabaseMigrator>();
        services.AddSingleton<OutboxStore>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<PasswordHashing>();
        services.AddSingleton<UserEventFactory>();

        builder.AddKafkaProducer<string?, byte[]?>("kafka", settings =>
        {
            // Surface an unreachable broker to the relay (which retries with backoff) instead of
            // waiting librdkafka's default five minutes per message.
            settings.Config.MessageTimeoutMs ??= 30_000;
        });
        services.AddSingleton<CloudEventKafkaPublisher>();
        services.AddHostedService<OutboxRelay>();
    }

    /// <summary>Creates and migrates the database before anything serves.</summary>
    private sealed class DatabaseMigrator(SqliteDatabase database) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => database.MigrateAsync(UserStore.Migrations, cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
