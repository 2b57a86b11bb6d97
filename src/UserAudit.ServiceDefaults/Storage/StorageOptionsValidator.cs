using Microsoft.Extensions.Options;

namespace UserAudit.ServiceDefaults.Storage;

/// <summary>The data annotations of <see cref="StorageOptions"/>, checked by code generated at compile time.</summary>
[OptionsValidator]
internal sealed partial class StorageOptionsValidator : IValidateOptions<StorageOptions>;
