using Microsoft.Extensions.Options;
using UserService.Events;
using Xunit;

namespace UserAudit.Tests.Users;

/// <summary>UserService refuses, at start, event settings whose URIs consumers would refuse in every event.</summary>
public sealed class EventOptionsTests
{
    private static ValidateOptionsResult Validate(EventOptions options) =>
        new DataAnnotationValidateOptions<EventOptions>(null).Validate(null, options);

    [Theory]
    [InlineData("https://users.example/café")]
    [InlineData("urn:user service")]
    [InlineData("/relative/source")]
    public void A_source_consumers_would_refuse_stops_the_service_naming_the_setting(string source)
    {
        var result = Validate(new EventOptions { Source = new Uri(source, UriKind.RelativeOrAbsolute) });

        Assert.True(result.Failed);
        Assert.Contains("Events:Source", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://schemas.example/my schemas/")]
    [InlineData("https://schemas.example/schemas")]
    public void A_schema_base_with_a_space_or_without_a_trailing_slash_is_refused(string schemaBase)
    {
        var result = Validate(new EventOptions { SchemaBaseUri = new Uri(schemaBase) });

        Assert.True(result.Failed);
        Assert.Contains("Events:SchemaBaseUri", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_and_percent_encoded_uris_are_accepted()
    {
        Assert.True(Validate(new EventOptions()).Succeeded);
        Assert.True(Validate(new EventOptions
        {
            Source = new Uri("https://users.example/caf%C3%A9"),
            SchemaBaseUri = new Uri("http://localhost:3000/v1/schemas/"),
        }).Succeeded);
    }
}
