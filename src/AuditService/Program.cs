using AuditService;
using AuditService.Api;
using AuditService.Ingestion;
using AuditService.Integrity;
using AuditService.Streaming;
using AuditService.Trail;

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
app.MapApiReference();

app.MapAuditEventsApi();
app.MapAuditEventStreamApi();
app.MapConflictsApi();
app.MapIntegrityApi();
app.MapHttpIngestionApi();

app.Run();
