namespace AuditService.Retention;

/// <summary>Wiring of the retention service.</summary>
public static class AuditRetention
{
    /// <summary>Registers the options (validated at start), the chain-keeping deletion and the background service.</summary>
    public static IServiceCollection AddAuditRetention(this IServiceCollection services)
    {
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName)
            .Validate(o => o.Period > TimeSpan.Zero, "Retention:Period must be positive.")
            .Validate(o => o.Interval > TimeSpan.Zero, "Retention:Interval must be positive.")
            .ValidateOnStart();
        services.AddSingleton<RetentionCut>();
        services.AddHostedService<RetentionService>();
        return services;
    }
}
