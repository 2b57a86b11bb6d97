using AuditService.Api;
using AuditService.Ingestion;
using AuditService.Integrity;
using AuditService.Streaming;
using Microsoft.Extensions.Options;

namespace AuditService;

// The data annotations of AuditService's options, checked by code generated at compile time
// instead of by reflection.

/// <summary>Validates <see cref="IngestionOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class IngestionOptionsValidator : IValidateOptions<IngestionOptions>;

/// <summary>Validates <see cref="IntegrityOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class IntegrityOptionsValidator : IValidateOptions<IntegrityOptions>;

/// <summary>Validates <see cref="StreamOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class StreamOptionsValidator : IValidateOptions<StreamOptions>;

/// <summary>Validates <see cref="ReadOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class ReadOptionsValidator : IValidateOptions<ReadOptions>;
