using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Options validated by a validator written at compile time (<see cref="OptionsValidatorAttribute"/>)
/// instead of <c>ValidateDataAnnotations</c>, which reads the attributes by reflection: the same
/// checks and messages, and nothing a NativeAOT publish trims away.
/// </summary>
public static class OptionsBuilderValidationExtensions
{
    /// <summary>Validates the options with <paramref name="validator"/> whenever they are built.</summary>
    /// <typeparam name="TOptions">The options type.</typeparam>
    /// <param name="builder">The options builder.</param>
    /// <param name="validator">The validator, usually a <see cref="OptionsValidatorAttribute"/> partial class.</param>
    /// <returns>The builder, for chaining.</returns>
    public static OptionsBuilder<TOptions> ValidateWith<TOptions>(this OptionsBuilder<TOptions> builder, IValidateOptions<TOptions> validator)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(validator);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton(validator));
        return builder;
    }
}
