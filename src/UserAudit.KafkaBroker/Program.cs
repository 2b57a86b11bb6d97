using UserAudit.KafkaBroker.Hosting;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddOptions<EmbeddedBrokerOptions>()
    .BindConfiguration(EmbeddedBrokerOptions.SectionName)
    .ValidateDataAnnotations()
    .ValidateOnStart();
builder.Services.AddSingleton<EmbeddedBroker>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
builder.Services.AddHealthChecks().AddCheck<EmbeddedBroker>("embedded-kafka");

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapBrokerControlApi();

app.Run();
