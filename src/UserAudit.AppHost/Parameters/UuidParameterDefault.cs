using Aspire.Hosting.Publishing;

namespace UserAudit.AppHost.Parameters;

/// <summary>
/// A parameter default that is a new random UUID (version 7), for ids the deployment chooses once
/// and keeps, such as the first administrator's. A manifest gets no default: the deployer chooses.
/// </summary>
public sealed class UuidParameterDefault : ParameterDefault
{
    /// <inheritdoc />
    public override string GetDefaultValue() => Guid.CreateVersion7().ToString();

    /// <inheritdoc />
    public override void WriteToManifest(ManifestPublishingContext context)
    {
        // Nothing to generate at deployment: the id is supplied like any other input.
    }
}
