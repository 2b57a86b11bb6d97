using WolverinePeer;
using WolverinePeer.Users;

var builder = WebApplication.CreateBuilder(args);

builder.AddWolverinePeer();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapHealthChecks("/health");
app.MapUsersApi();

app.Run();
