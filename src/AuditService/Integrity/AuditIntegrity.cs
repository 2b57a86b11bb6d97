namespace AuditService.Integrity;

/// <summary>Wiring of the hash chain's checkpoints and verification.</summary>
public static class AuditIntegrity
{
    /// <summary>Registers the options (validated at start), the signer, the checkpoint store, the verifier and the checkpoint service.</summary>
    public static IServiceCollection AddAuditIntegrity(this IServiceCollection services)
    {
        services.AddOptions<IntegrityOptions>().BindConfiguration(IntegrityOptions.SectionName).ValidateWith(new IntegrityOptionsValidator())
            .Validate(o => o.CheckpointInterval >= TimeSpan.FromSeconds(1), "Integrity:CheckpointInterval must be at least one second.")
            .ValidateOnStart();
        services.AddSingleton<CheckpointSigner>();
        services.AddSingleton<CheckpointStore>();
        services.AddSingleton<ChainVerifier>();
        services.AddHostedService<CheckpointService>();
        return services;
    }
}
