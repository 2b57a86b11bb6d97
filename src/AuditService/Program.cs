using AuditService;
using AuditService.Api;
using AuditService.Ingestion;
using AuditService.Integrity;
using AuditService.Streaming;
using AuditService.Trail;
using Scalar.AspNetCore;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAuditServiceComponents();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseTrailPage();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapDefaultEndpoints();
app.MapOpenApi();
if (app.Environment.IsDevelopment())
{
    app.MapScalarApiReference();
}

app.MapAuditEventsApi();
app.MapAuditEventStreamApi();
app.MapConflictsApi();
app.MapIntegrityApi();
app.MapHttpIngestionApi();

app.Run();
