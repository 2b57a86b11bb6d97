using System.Net;

namespace UserAudit.KafkaBroker.Hosting;

/// <summary>Builds the broker's web host, so that tests run the very host the AppHost starts.</summary>
public static class BrokerHost
{
    /// <summary>The broker's web application, configured from <paramref name="args"/> and the environment.</summary>
    public static WebApplication Create(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);

        builder.AddServiceDefaults();
        builder.Services.AddOptions<EmbeddedBrokerOptions>()
            .BindConfiguration(EmbeddedBrokerOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<BrokerControlOptions>()
            .BindConfiguration(BrokerControlOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<EmbeddedBroker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        builder.Services.AddHealthChecks().AddCheck<EmbeddedBroker>("embedded-kafka");

        // A development broker serves nothing other machines should reach: its HTTP port, like its
        // Kafka port, listens on loopback whatever URLs the environment asks for.
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var port = context.Configuration.GetValue<int>($"{EmbeddedBrokerOptions.SectionName}:{nameof(EmbeddedBrokerOptions.HttpPort)}");
            if (port == 0)
            {
                kestrel.Listen(IPAddress.Loopback, 0); // a free port; ListenLocalhost cannot pick one
            }
            else
            {
                kestrel.ListenLocalhost(port);
            }
        });

        var app = builder.Build();
        app.MapDefaultEndpoints();

        // Fault injection exists to break the broker on purpose: only where someone develops or tests.
        if (app.Environment.IsDevelopment())
        {
            app.MapBrokerControlApi();
        }

        return app;
    }
}
