using UserService;
using UserService.Events;
using UserService.Sessions;
using UserService.Users;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddUserServiceComponents();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapDefaultEndpoints();
app.MapApiReference();

app.MapUsersApi();
app.MapSessionsApi();
app.MapSchemasApi();

app.Run();
