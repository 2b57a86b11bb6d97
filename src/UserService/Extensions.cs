using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.OpenApi;
using UserAudit.ServiceDefaults.Kafka;
using UserAudit.ServiceDefaults.OpenApi;
using UserAudit.ServiceDefaults.Storage;
using UserService.Events;
using UserService.Outbox;
using UserService.Sessions;
using UserService.Storage;
using UserService.Users;

namespace UserService;

/// <summary>UserService's wiring.</summary>
public static class Extensions
{
    /// <summary>Storage, password hashing, idempotency keys, the outbox relay and the Kafka producer.</summary>
    public static void AddUserServiceComponents(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOpenApi(options => options.AddSecuritySchemes(new Dictionary<string, OpenApiSecurityScheme>
        {
            [JwtBearerDefaults.AuthenticationScheme] = new()
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access token from POST /v1/sessions, sent as 'Authorization: Bearer <token>'.",
            },
        }));
        services.AddSingleton(TimeProvider.System);
        // Responses are written by code generated at compile time, as request bodies are read.
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, UserJsonContext.Default);
            o.SerializerOptions.TypeInfoResolverChain.Insert(1, SessionJsonContext.Default);
        });

        services.AddOptions<EventOptions>().BindConfiguration(EventOptions.SectionName).ValidateWith(new EventOptionsValidator()).ValidateOnStart();
        services.AddOptions<OutboxOptions>().BindConfiguration(OutboxOptions.SectionName).ValidateWith(new OutboxOptionsValidator())
            .Validate(o => o.PollInterval > TimeSpan.Zero && o.DeliveredRetention > TimeSpan.Zero,
                "Outbox:PollInterval and DeliveredRetention must be positive.")
            .Validate(o => o.MaxBackoff >= TimeSpan.FromMilliseconds(100), "Outbox:MaxBackoff must be at least 100 ms.").ValidateOnStart();
        services.AddOptions<PasswordOptions>().BindConfiguration(PasswordOptions.SectionName).ValidateWith(new PasswordOptionsValidator()).ValidateOnStart();
        services.AddOptions<IdempotencyOptions>().BindConfiguration(IdempotencyOptions.SectionName).ValidateWith(new IdempotencyOptionsValidator())
            .Validate(o => o.Lifetime >= TimeSpan.FromMinutes(1), "Idempotency:Lifetime must be at least one minute.").ValidateOnStart();

        builder.AddServiceDatabase(UserStore.Schema);
        services.AddSingleton<GroupCommitWriter>();
        services.AddSingleton<OutboxStore>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<RelayLease>();
        services.AddSingleton<IdempotencyKeys>();
        services.AddHostedService<IdempotencyKeyPruner>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<PasswordHashing>();
        services.AddSingleton<UserEventFactory>();
        builder.AddUserAuthentication();
        // After the migrations (registered with the database above), before anything serves.
        services.AddHostedService<AdminBootstrapper>();

        builder.AddKafkaProducer<string?, byte[]?>("kafka", settings =>
        {
            // Surface an unreachable broker to the relay (which retries with backoff) instead of
            // waiting librdkafka's default five minutes per message.
            settings.Config.MessageTimeoutMs ??= 30_000;
        });
        services.AddSingleton<CloudEventKafkaPublisher>();
        services.AddHostedService<OutboxRelay>();
    }
}
