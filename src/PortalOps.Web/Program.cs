using PortalOps.Jobs;
using PortalOps.Web;
using PortalOps.Web.Configuration;

var builder = WebApplication.CreateBuilder(args);
builder.AddPortalConfiguration(args);

builder.Services.AddDomain();
builder.Services.AddJobs(builder.Configuration, builder.Environment);
builder.Services.AddWebServices(builder.Configuration);

var app = builder.Build();
await app.Services.MigrateDatabaseAsync();
app.UsePortal();
await app.RunAsync();

public partial class Program;
